import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import helmet from 'helmet';
import Negotiator from 'negotiator';
import type { DataSource } from 'typeorm';
import { ErrorCode } from '../domain/errors';
import { PROJECT_ROOT } from '../paths';
import { sendError } from './error-response';

/**
 * A self-hosted GraphiQL at `GET /graphql` for browsers: GraphiQL 3.8's browser bundle and React 18's UMD builds come
 * from this project's own node_modules, so the page needs no CDN (closed networks) and runs under a content security
 * policy that allows nothing from another origin and no inline script.
 */
export interface PlaygroundOptions {
  /** Development only: a fresh token that the page's Authorization header opens with. Never in production. */
  demoToken?: () => Promise<string>;
  /** Values for the example operations' variables, over EXAMPLE_VARIABLES (development: a real demo notification). */
  exampleVariables?: () => Promise<Record<string, unknown>>;
}

/** Where the page's files are served. */
export const PLAYGROUND_ASSETS_PATH = '/graphql/assets';

/** Our own browser files (plain JavaScript, CSS, the example operations); src/ is read from dist/ too. */
const PLAYGROUND_DIR = path.join(PROJECT_ROOT, 'src', 'http', 'playground');

/** The example operations the page opens with, named operations in one document. */
export const EXAMPLES_FILE = path.join(PLAYGROUND_DIR, 'examples.graphql');

/** Variables of the example operations when nothing better is known (a placeholder id). */
export const EXAMPLE_VARIABLES: Readonly<Record<string, unknown>> = {
  postalCode: '65100',
  id: '00000000-0000-0000-0000-000000000000',
  toMunicipalityCode: '499',
  reason: 'Asuu Mustasaaressa / Bor i Korsholm',
  municipalityCode: '905',
};

/**
 * The one `<style>` element GraphiQL writes itself: Radix's menus and dialogs lock the page's scrolling with
 * react-remove-scroll-bar's stylesheet. Its text depends only on the page's scrollbar gap and body margins, which
 * playground.css keeps at 0 (no page scrollbar, no margin), so one hash allows exactly it and no other inline style.
 * The browser test (test/playground.test.ts) opens the menus and dialogs and fails on any violation.
 */
export const SCROLL_LOCK_STYLE_HASH = "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='";

/**
 * The page's own policy, replacing the API's `default-src 'none'` on the playground routes only: scripts, styles and
 * requests from this origin only; GraphiQL's fonts are data: URLs in its stylesheet; no inline script and no inline
 * style but the scroll lock's.
 */
const PLAYGROUND_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", SCROLL_LOCK_STYLE_HASH],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

interface Asset {
  body: Buffer;
  type: string;
  /** Content hash: the `v` of the page's URLs and the ETag. */
  version: string;
  gzipped?: Buffer;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Every file the page loads, by the name it is served under. Nothing else is served. */
function assetFiles(): Record<string, { file: string; type: string }> {
  const graphiql = packageDir('graphiql');
  return {
    'react.production.min.js': {
      file: path.join(packageDir('react'), 'umd', 'react.production.min.js'),
      type: JAVASCRIPT,
    },
    'react-dom.production.min.js': {
      file: path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
      type: JAVASCRIPT,
    },
    'graphiql.min.js': { file: path.join(graphiql, 'graphiql.min.js'), type: JAVASCRIPT },
    'graphiql.min.css': { file: path.join(graphiql, 'graphiql.min.css'), type: CSS },
    // graphql-ws's browser build (window.graphqlWs): the page runs subscriptions over WebSocket on /graphql.
    'graphql-ws.min.js': {
      file: path.join(packageDir('graphql-ws'), 'umd', 'graphql-ws.min.js'),
      type: JAVASCRIPT,
    },
    // The Explorer plugin (window.GraphiQLPluginExplorer): build a query by ticking fields. Its UMD build uses the
    // page's React and GraphiQL globals; 3.2.5 is the release for the @graphiql/react that graphiql 3.8 uses.
    'graphiql-plugin-explorer.umd.js': {
      file: path.join(packageDir('@graphiql/plugin-explorer'), 'dist', 'index.umd.js'),
      type: JAVASCRIPT,
    },
    'graphiql-plugin-explorer.css': {
      file: path.join(packageDir('@graphiql/plugin-explorer'), 'dist', 'style.css'),
      type: CSS,
    },
    'playground.js': { file: path.join(PLAYGROUND_DIR, 'playground.js'), type: JAVASCRIPT },
    'playground.css': { file: path.join(PLAYGROUND_DIR, 'playground.css'), type: CSS },
  };
}

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, { file, type }] of Object.entries(assetFiles())) {
    const body = fs.readFileSync(file);
    const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
    assets.set(name, { body, type, version });
  }
  return assets;
}

/** JSON inside `<script type="application/json">`: nothing in it can end the element or open a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface PlaygroundConfig {
  /** The GraphQL endpoint (the page's own address). */
  endpoint: string;
  /** The headers editor's contents (JSON text). */
  headers: string;
  /** The example operations, for the first tab. */
  query: string;
  /** The examples' variables (JSON text). */
  variables: string;
  /** Which editor is open below the query editor. */
  editorTools: 'variables' | 'headers';
}

function page(config: PlaygroundConfig, assets: Map<string, Asset>): string {
  const url = (name: string) => `${PLAYGROUND_ASSETS_PATH}/${name}?v=${assets.get(name)?.version}`;
  const scripts = [
    'react.production.min.js',
    'react-dom.production.min.js',
    'graphiql.min.js',
    'graphql-ws.min.js',
    'graphiql-plugin-explorer.umd.js',
    'playground.js',
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    '<title>kelmu-graphql · GraphiQL</title>',
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="${url('graphiql.min.css')}">`,
    `<link rel="stylesheet" href="${url('graphiql-plugin-explorer.css')}">`,
    `<link rel="stylesheet" href="${url('playground.css')}">`,
    `<script type="application/json" id="playground-config">${scriptJson(config)}</script>`,
    ...scripts.map((name) => `<script src="${url(name)}" defer></script>`),
    '</head>',
    '<body>',
    '<div id="graphiql"><p class="playground-loading">Loading GraphiQL…</p></div>',
    '<noscript>GraphiQL needs JavaScript. The API itself answers POST requests at this address.</noscript>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * A browser asking for a page, not a GraphQL GET (`?query=…`, or a persisted query's `?extensions=…`). On node:http's
 * request: the lean /graphql path (src/http/graphql-endpoint.ts) hands such GETs to Express, which serves the page.
 */
export function wantsPlaygroundPage(req: http.IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '';
  const at = url.indexOf('?');
  const query = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  return (
    !query.has('query') &&
    !query.has('extensions') &&
    new Negotiator(req).mediaType(['application/json', 'text/html']) === 'text/html'
  );
}

/** The address the page was served from, as the browser sees it; a Host header that is not a plain host:port is not echoed. */
function servedFrom(req: express.Request): string | undefined {
  const host = req.get('host');
  return host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
    ? `${req.protocol}://${host}`
    : undefined;
}

/** The examples' curl and fetch lines name the address the page came from, whatever PORT, HOST or proxy serve it. */
function examplesFor(req: express.Request, examples: string): string {
  const origin = servedFrom(req);
  return origin ? examples.replaceAll(EXAMPLES_ORIGIN, origin) : examples;
}

/** How examples.graphql writes the service's address. */
const EXAMPLES_ORIGIN = 'http://localhost:4000';

/**
 * `GET /graphql` for a browser (prefers text/html, no `query` parameter): the GraphiQL page; any other request goes on
 * to Apollo unchanged. `GET /graphql/assets/<file>`: the page's scripts and styles, cached for a year under their
 * content hash, gzipped when the browser accepts it. Both carry the playground's own content security policy.
 */
export function playgroundRouter(options: PlaygroundOptions = {}): express.Router {
  const assets = loadAssets();
  const examples = fs.readFileSync(EXAMPLES_FILE, 'utf8');
  const policy = helmet.contentSecurityPolicy({ useDefaults: false, directives: PLAYGROUND_CSP_DIRECTIVES });
  const router = express.Router({ strict: true });

  router.get(
    '/graphql',
    // Anything but a browser's request for the page leaves this router for Apollo.
    (req, _res, next) => next(wantsPlaygroundPage(req) ? undefined : 'router'),
    policy,
    async (req, res) => {
      const token = options.demoToken ? await options.demoToken() : undefined;
      const variables = { ...EXAMPLE_VARIABLES, ...(await options.exampleVariables?.()) };
      const config: PlaygroundConfig = {
        endpoint: req.baseUrl + req.path,
        headers: JSON.stringify(token ? { Authorization: `Bearer ${token}` } : {}, null, 2),
        query: examplesFor(req, examples),
        variables: JSON.stringify(variables, null, 2),
        editorTools: token ? 'variables' : 'headers',
      };
      // The page may carry a token: never cached, never stored.
      res.set('cache-control', 'no-store').vary('accept').type('html').send(page(config, assets));
    },
  );

  router.get(`${PLAYGROUND_ASSETS_PATH}/:file`, policy, (req, res) => {
    const asset = assets.get(String(req.params.file));
    if (!asset) {
      sendError(req, res, 404, 'Not found.', { code: ErrorCode.NOT_FOUND });
      return;
    }
    const current = req.query.v === asset.version;
    res
      .set('content-type', asset.type)
      .set('cache-control', current ? 'public, max-age=31536000, immutable' : 'no-cache')
      // One weak tag for the gzipped and the plain bytes: the same file.
      .set('etag', `W/"${asset.version}"`)
      .vary('accept-encoding');
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      asset.gzipped ??= gzipSync(asset.body);
      res.set('content-encoding', 'gzip').send(asset.gzipped);
    } else {
      res.send(asset.body);
    }
  });

  return router;
}

/**
 * Development: variables naming a real notification for the examples: the newest New one of the first of the given
 * municipalities (the demo handler's) that has any, its postal code, and the next of those municipalities to transfer
 * it to, with a reason naming it. Empty when there is none.
 */
export async function demoExampleVariables(
  dataSource: DataSource,
  municipalityCodes: readonly string[],
): Promise<Record<string, unknown>> {
  const codes = [...municipalityCodes];
  const rows: { id: string; municipalityCode: string; postalCode: string }[] = await dataSource.query(
    `SELECT n.id, n.municipality_code AS "municipalityCode", p.postal_code AS "postalCode"
       FROM notification n JOIN person p ON p.id = n.person_id
      WHERE n.status = 'NEW' AND n.municipality_code = ANY($1::text[])
      ORDER BY array_position($1::text[], n.municipality_code::text), n.created_at DESC, n.id DESC
      LIMIT 1`,
    [codes],
  );
  const row = rows[0];
  if (!row) return {};
  const from = codes.indexOf(row.municipalityCode);
  const target = codes.length > 1 ? codes[(from + 1) % codes.length] : undefined;
  const [names]: { nameFi: string; nameSv: string }[] = target
    ? await dataSource.query(
        'SELECT name_fi AS "nameFi", name_sv AS "nameSv" FROM municipality WHERE code = $1',
        [target],
      )
    : [];
  return {
    id: row.id,
    postalCode: row.postalCode,
    ...(target ? { toMunicipalityCode: target } : {}),
    ...(names ? { reason: `Asuu nyt kunnassa ${names.nameFi} / Bor nu i ${names.nameSv}` } : {}),
  };
}
