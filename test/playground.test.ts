import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import {
  demoExampleVariables,
  EXAMPLE_VARIABLES,
  EXAMPLES_FILE,
  PLAYGROUND_ASSETS_PATH,
  type PlaygroundConfig,
} from '../src/http/playground';
import { buildGraphQLSchema } from '../src/schema/build-schema';
import { type EdgeEnvironment, edgeEnvironment, type Served } from './support/edge-app';

/** Debian's Chromium (`apt-get install chromium`); never a browser downloaded by Playwright. */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `test/playground.test.ts: no Chromium at ${CHROMIUM}, so the real-browser test of GraphiQL is SKIPPED. ` +
      'Install Debian’s package: `sudo apt-get install -y chromium` (.ci/run does).',
  );
}

/**
 * The playground's policy, exactly: nothing from another origin, no inline script, and no inline style but GraphiQL's
 * scroll lock, by its hash (SCROLL_LOCK_STYLE_HASH).
 */
const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join(';');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const EXAMPLE_OPERATIONS = [
  'ListNew',
  'FilterByPostalCode',
  'MoveToProcessing',
  'ReturnToNew',
  'TransferToMunicipality',
  'Download',
  'NotificationsChanged',
];

const examples = fs.readFileSync(EXAMPLES_FILE, 'utf8');

let env: EdgeEnvironment;
/** createHttpServer without the playground option. */
let plain: Served;
beforeAll(async () => {
  env = await edgeEnvironment();
  plain = await env.serve();
});
afterAll(async () => {
  await env?.close();
});

function pageConfig(html: string): PlaygroundConfig {
  const match = /<script type="application\/json" id="playground-config">([^<]*)<\/script>/.exec(html);
  expect(match, 'the page carries its configuration as JSON').not.toBeNull();
  return JSON.parse(match?.[1] ?? '');
}

describe('the example operations', () => {
  const document = parse(examples);
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );

  it('are the issue’s named operations, in one document', () => {
    expect(operations.map((operation) => operation.name?.value)).toEqual(EXAMPLE_OPERATIONS);
  });

  it('validate against the served schema and the committed src/schema/schema.graphql', () => {
    expect(validate(buildGraphQLSchema(), document).map((error) => error.message)).toEqual([]);
    const committed = buildSchema(
      fs.readFileSync(path.join(__dirname, '..', 'src', 'schema', 'schema.graphql'), 'utf8'),
    );
    expect(validate(committed, document).map((error) => error.message)).toEqual([]);
  });

  it('have a value for every variable they declare', () => {
    const declared = operations.flatMap(
      (operation) => operation.variableDefinitions?.map((definition) => definition.variable.name.value) ?? [],
    );
    expect(Object.keys(EXAMPLE_VARIABLES).sort()).toEqual([...new Set(declared)].sort());
  });

  it('in development name the newest New notification of the demo handler’s first municipality that has one', async () => {
    const older = await env.given.notification({ municipalityCode: '946', ageDays: 5, postalCode: '66900' });
    await env.given.notification({ municipalityCode: '499', ageDays: 0, postalCode: '65610' });
    await env.given.notification({ municipalityCode: '091', ageDays: 0, postalCode: '00100' });
    expect(await demoExampleVariables(env.dataSource, ['946', '499'])).toEqual({
      id: older.id,
      postalCode: '66900',
      toMunicipalityCode: '499',
      reason: 'Asuu nyt kunnassa Mustasaari / Bor nu i Korsholm',
    });
    expect(await demoExampleVariables(env.dataSource, ['598', '946'])).toMatchObject({
      id: older.id,
      toMunicipalityCode: '598',
    });
    expect(await demoExampleVariables(env.dataSource, ['297'])).toEqual({});
  });
});

describe('PLAYGROUND', () => {
  const PRODUCTION = {
    NODE_ENV: 'production',
    AUTH_JWKS_URL: 'https://gateway.example.fi/jwks',
    AUTH_ISSUER: 'https://gateway.example.fi',
    AUTH_AUDIENCE: 'kelmu-graphql',
  } as const;

  it('is on in development mode and off in production unless enabled', () => {
    expect(loadConfig({}).http.playground).toBe(true);
    expect(loadConfig({ PLAYGROUND: 'false' }).http.playground).toBe(false);
    expect(loadConfig(PRODUCTION).http.playground).toBe(false);
    expect(loadConfig({ ...PRODUCTION, PLAYGROUND: 'true' }).http.playground).toBe(true);
    expect(() => loadConfig({ PLAYGROUND: 'yes' })).toThrow(/PLAYGROUND/);
  });
});

describe('without the playground option', () => {
  it('serves no page: a browser’s GET /graphql gets Apollo’s JSON answer and the API’s policy', async () => {
    const response = await plain.get('/graphql', { accept: BROWSER_ACCEPT });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).not.toMatch(/graphiql/i);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    );
    const asset = await plain.get(`${PLAYGROUND_ASSETS_PATH}/graphiql.min.js`);
    expect(asset.headers.get('content-type')).not.toMatch(/javascript/);
  });
});

describe('with the playground option', () => {
  let served: Served;
  let production: Served;
  const token = 'header.payload.signature';
  beforeAll(async () => {
    served = await env.serve({
      introspection: true,
      playground: {
        demoToken: async () => token,
        exampleVariables: async () => ({ id: '</script><script>alert(1)</script>' }),
      },
    });
    production = await env.serve({ playground: {} });
  });

  it('serves the page to a browser, with its own policy that names no other origin', async () => {
    const response = await served.get('/graphql', { accept: BROWSER_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toBe(PLAYGROUND_CSP);
    expect(response.headers.get('content-security-policy')).not.toMatch(/https?:|\*/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.body).toContain('<title>kelmu-graphql · GraphiQL</title>');
  });

  it('loads every file from its own origin and runs no inline script', async () => {
    const { body } = await served.get('/graphql', { accept: BROWSER_ACCEPT });
    const urls = [...body.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
    expect(urls.filter((url) => url !== 'data:,')).toEqual([
      expect.stringMatching(/^\/graphql\/assets\/graphiql\.min\.css\?v=[0-9a-f]{16}$/),
      expect.stringMatching(/^\/graphql\/assets\/graphiql-plugin-explorer\.css\?v=/),
      expect.stringMatching(/^\/graphql\/assets\/playground\.css\?v=/),
      expect.stringMatching(/^\/graphql\/assets\/react\.production\.min\.js\?v=/),
      expect.stringMatching(/^\/graphql\/assets\/react-dom\.production\.min\.js\?v=/),
      expect.stringMatching(/^\/graphql\/assets\/graphiql\.min\.js\?v=/),
      expect.stringMatching(/^\/graphql\/assets\/graphql-ws\.min\.js\?v=/),
      expect.stringMatching(/^\/graphql\/assets\/graphiql-plugin-explorer\.umd\.js\?v=/),
      expect.stringMatching(/^\/graphql\/assets\/playground\.js\?v=/),
    ]);
    const scripts = [...body.matchAll(/<script([^>]*)>/g)].map((match) => match[1] ?? '');
    expect(scripts.filter((attributes) => !/\bsrc="/.test(attributes))).toEqual([
      ' type="application/json" id="playground-config"',
    ]);
    expect(body).not.toMatch(/\sstyle=|<style/);

    for (const url of urls.filter((url) => url.startsWith('/'))) {
      const asset = await fetch(`${served.base}${url}`);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toMatch(/^text\/(javascript|css); charset=utf-8$/);
      expect(asset.headers.get('cache-control'), url).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-security-policy'), url).toBe(PLAYGROUND_CSP);
      expect((await asset.text()).length, url).toBeGreaterThan(100);
    }
    const unknown = await served.get(`${PLAYGROUND_ASSETS_PATH}/package.json`);
    expect(unknown.status).toBe(404);
    const traversal = await served.get(`${PLAYGROUND_ASSETS_PATH}/..%2F..%2Fpackage.json`);
    expect(traversal.status).toBe(404);
  });

  it('opens with the examples, their variables and the demo token; JSON cannot end its script element', async () => {
    const { body } = await served.get('/graphql', { accept: BROWSER_ACCEPT });
    expect(body).not.toContain('</script><script>alert(1)');
    const config = pageConfig(body);
    expect(config.endpoint).toBe('/graphql');
    // The examples' curl and fetch lines name the address the page was served from, not a fixed localhost:4000.
    const origin = new URL(served.url).origin;
    expect(examples).toContain('http://localhost:4000/downloads/');
    expect(config.query).toBe(examples.replaceAll('http://localhost:4000', origin));
    expect(config.query).toContain(`${origin}/downloads/`);
    expect(JSON.parse(config.headers)).toEqual({ Authorization: `Bearer ${token}` });
    expect(JSON.parse(config.variables)).toEqual({
      ...EXAMPLE_VARIABLES,
      id: '</script><script>alert(1)</script>',
    });
  });

  it('pre-fills no token without demoToken (production)', async () => {
    const { status, body } = await production.get('/graphql', { accept: BROWSER_ACCEPT });
    expect(status).toBe(200);
    const config = pageConfig(body);
    expect(JSON.parse(config.headers)).toEqual({});
    expect(config.editorTools).toBe('headers');
    expect(JSON.parse(config.variables)).toEqual(EXAMPLE_VARIABLES);
  });

  it('leaves GraphQL GETs and every non-browser request to Apollo', async () => {
    for (const server of [plain, served]) {
      const json = await server.get('/graphql?query=%7B__typename%7D', {
        'apollo-require-preflight': 'true',
      });
      expect(json.status).toBe(200);
      expect(JSON.parse(json.body)).toEqual({ data: { __typename: 'Query' } });
      // A browser following a GraphQL GET link gets the JSON answer, not the page.
      const linked = await server.get('/graphql?query=%7B__typename%7D', {
        accept: BROWSER_ACCEPT,
        'apollo-require-preflight': 'true',
      });
      expect(linked.headers.get('content-type')).toMatch(/^application\/json/);
      // curl and fetch accept anything: the first choice is JSON.
      const any = await server.get('/graphql', { accept: '*/*' });
      expect(any.status).toBe(400);
      expect(any.headers.get('content-type')).toMatch(/^application\/json/);
      const post = await server.graphql('{ __typename }');
      expect(post.body).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('gzips the vendor files for browsers that accept it', async () => {
    const { body } = await served.get('/graphql', { accept: BROWSER_ACCEPT });
    const url = /src="([^"]*graphiql\.min\.js[^"]*)"/.exec(body)?.[1] ?? '';
    const response = await fetch(`${served.base}${url}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(Number(response.headers.get('content-length'))).toBeLessThan(1_000_000);
    expect((await response.text()).length).toBeGreaterThan(1_000_000);
    // (fetch would add `cache-control: no-cache` to a conditional request, as a reload does.)
    const again = await fetch(`${served.base}${url}`, {
      headers: { 'if-none-match': response.headers.get('etag') ?? '', 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);
  });
});

describe.skipIf(!hasChromium)(`GraphiQL in a real browser (Debian's Chromium at ${CHROMIUM})`, () => {
  let browser: Browser;
  let served: Served;
  /** The demo tokens the pages were given. */
  const issued: string[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    served = await env.serve({
      introspection: true,
      playground: {
        demoToken: async () => {
          issued.push(await env.tokens.handler(['905', '499']));
          return issued.at(-1) as string;
        },
        exampleVariables: () => demoExampleVariables(env.dataSource, ['905', '499']),
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** What happened in the page besides what the test looks at: it must all stay empty. */
  interface Watch {
    foreignRequests: string[];
    violations: string[];
    errors: string[];
  }

  /** Reports every content security policy violation to the test (runs in the page before its own scripts). */
  const REPORT_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
    window.reportViolation(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' +
      event.sourceFile + ':' + event.lineNumber);
  });`;

  async function openPlayground(): Promise<{ page: Page; watch: Watch; requests: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const origin = new URL(served.base).origin;
    const requests: string[] = [];
    const watch: Watch = { foreignRequests: [], violations: [], errors: [] };
    page.on('request', (request) => {
      requests.push(request.url());
      const url = new URL(request.url());
      if (url.origin !== origin && url.protocol !== 'data:') watch.foreignRequests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) {
        watch.errors.push(`console.${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => watch.errors.push(`page error: ${error.message}`));
    await page.exposeFunction('reportViolation', (violation: string) => watch.violations.push(violation));
    await page.addInitScript({ content: REPORT_VIOLATIONS });
    const response = await page.goto(served.url);
    expect(response?.status()).toBe(200);
    await page.locator('.graphiql-container').waitFor();
    return { page, watch, requests };
  }

  /** The whole text of one of GraphiQL's CodeMirror editors (the screen shows only the lines in view). */
  function editorText(page: Page, selector: string): Promise<string> {
    return page.evaluate(
      `document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)})?.CodeMirror.getValue() ?? ''`,
    );
  }

  /** Picks an operation from the ▶ button's menu (the document has several) and waits for its result. */
  async function run(page: Page, operation: string, expected: string): Promise<string> {
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: operation, exact: true }).click();
    await expect
      .poll(() => editorText(page, '.result-window'), {
        timeout: 15_000,
        message: `the result of ${operation}`,
      })
      .toContain(expected);
    // On screen, not only in the editor's model.
    await page.locator('.result-window').getByText('"data"').waitFor();
    return editorText(page, '.result-window');
  }

  it('runs the examples from the page with the demo token: the user sees the New list and a move', async () => {
    const given = await env.given.notification({
      municipalityCode: '905',
      ageDays: 0,
      firstNames: 'Aino Playwright',
      lastName: 'Selainlahti',
      postalCode: '65100',
    });
    const { page, watch, requests } = await openPlayground();
    try {
      // The first tab holds the example operations; the variables name the newest New notification.
      await page.locator('.graphiql-query-editor').getByText('query ListNew').waitFor();
      expect(await editorText(page, '.graphiql-query-editor')).toBe(
        examples.replaceAll('http://localhost:4000', new URL(served.url).origin),
      );
      const variables = JSON.parse(await editorText(page, '.graphiql-editor-tool'));
      expect(variables).toMatchObject({ id: given.id, postalCode: '65100', toMunicipalityCode: '499' });

      const list = JSON.parse(await run(page, 'ListNew', '"Selainlahti"'));
      expect(list.errors).toBeUndefined();
      const nodes = list.data.notifications.edges.map((edge: { node: { id: string } }) => edge.node);
      expect(nodes.find((node: { id: string }) => node.id === given.id)).toMatchObject({
        id: given.id,
        pendingDays: 0,
        downloadPath: `/downloads/notifications/${given.id}.csv`,
        person: { firstNames: 'Aino Playwright', lastName: 'Selainlahti' },
      });

      const moved = JSON.parse(await run(page, 'MoveToProcessing', '"IN_PROCESSING"'));
      expect(moved).toEqual({
        data: {
          moveToProcessing: {
            __typename: 'Notification',
            id: given.id,
            status: 'IN_PROCESSING',
            processingStartedAt: env.clock.now().toISOString(),
            version: 2,
          },
        },
      });
      const [row]: { status: string }[] = await env.dataSource.query(
        'SELECT status FROM notification WHERE id = $1',
        [given.id],
      );
      expect(row?.status).toBe('IN_PROCESSING');

      // A subscription runs over WebSocket on the same address with the Headers editor's token (connect-src 'self'),
      // and shows a change committed elsewhere as it happens; ■ stops it.
      await page.locator('.graphiql-execute-button').click();
      await page.getByRole('menuitem', { name: 'NotificationsChanged', exact: true }).click();
      await expect
        .poll(() => served.server.services.notificationEvents.subscriberCount, { timeout: 15_000 })
        .toBe(1);
      await env.dataSource.query(
        "UPDATE notification SET status = 'NEW', processing_started_at = NULL WHERE id = $1",
        [given.id],
      );
      await expect
        .poll(() => editorText(page, '.result-window'), { timeout: 15_000, message: 'the pushed event' })
        .toContain('"RETURNED_TO_NEW"');
      expect(await editorText(page, '.result-window')).toContain(given.id);
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(() => served.server.services.notificationEvents.subscriberCount).toBe(0);

      // The demo token is in the headers editor, and GraphiQL stored it nowhere.
      const token = issued.at(-1) as string;
      await page.getByRole('button', { name: 'Headers', exact: true }).click();
      await page.locator('.graphiql-editor-tool').getByText('"Authorization"').waitFor();
      expect(
        JSON.parse(await editorText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)')),
      ).toEqual({
        Authorization: `Bearer ${token}`,
      });
      const stored: string = await page.evaluate('JSON.stringify({ ...window.localStorage })');
      expect(stored).toContain('MoveToProcessing');
      expect(stored).not.toContain(token);

      // The schema came through introspection: the docs explorer lists the root types.
      await page.locator('[aria-label="Show Documentation Explorer"]').click();
      await page.locator('.graphiql-doc-explorer').getByText('Mutation').first().waitFor();

      // GraphiQL's dialogs open under the policy too.
      for (const dialog of ['Open settings dialog', 'Open short keys dialog']) {
        await page.locator(`[aria-label="${dialog}"]`).click();
        await page.getByRole('dialog').waitFor();
        await page.keyboard.press('Escape');
        await page.getByRole('dialog').waitFor({ state: 'detached' });
      }
    } finally {
      await page.context().close();
    }
    expect(requests.length).toBeGreaterThan(5);
    expect(watch).toEqual({ foreignRequests: [], violations: [], errors: [] });
  });

  it('builds a query by ticking fields in the Explorer, offline and under the page policy', async () => {
    const { page, watch } = await openPlayground();
    try {
      await page.getByRole('button', { name: /Show GraphiQL Explorer/i }).click();
      // The schema's root fields as a tree: tick one and the query editor gets it.
      const explorer = page.locator('.graphiql-explorer-root, .docExplorerWrap').first();
      await explorer.getByText('municipalities', { exact: true }).first().click();
      await expect
        .poll(() => editorText(page, '.graphiql-query-editor'), { timeout: 10_000 })
        .toMatch(/municipalities/);
    } finally {
      await page.context().close();
    }
    expect(watch).toEqual({ foreignRequests: [], violations: [], errors: [] });
  });
});
