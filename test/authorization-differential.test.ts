import {
  execute,
  type GraphQLArgument,
  type GraphQLField,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  getNamedType,
  isInputObjectType,
  isIntrospectionType,
  isNonNullType,
  isObjectType,
  isUnionType,
  parse,
} from 'graphql';
import { allow, and, deny, rule } from 'graphql-shield';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationShield } from '../src/auth/operation-shield';
import { jwksOf } from '../src/auth/signing-key';
import { createTokenVerifier, localKeys } from '../src/auth/token-verifier';
import { DataContent, NotificationStatus } from '../src/domain/enums';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { createHttpServer, type HttpServer } from '../src/http/app';
import { recipient } from './fixtures/home-care-allowance';
import {
  AUDIENCE,
  ISSUER,
  MAX_TOKEN_LIFETIME_SECONDS,
  STRONG_ACR,
  startTestApp,
  type TestApp,
  WEAK_ACR,
} from './support/app';

/*
 * The permission map applied per operation and per object (src/auth/operation-shield.ts) must decide exactly what
 * shield on every field decides. For every field of the schema, a query that selects it is sent by viewers that are
 * allowed and denied, to the service and to a reference server on the same database with shield on every field;
 * the responses must be the same, and an operation the reference allows whole must have taken the fast path.
 */

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: { data?: unknown; errors?: Json[] };
}

const HOME = '905';
const OTHER = '499';

let app: TestApp;
let reference: HttpServer;
let referenceUrl: string;
const paths: string[] = [];
const viewers: Record<string, string | undefined> = {};
const ids: Record<string, string> = {};

let socialCareSerial = 0;

/** A fresh social-care notice, imported as Kela delivers it, visible at once. */
async function socialCareNotice(municipalityCode: string): Promise<string> {
  socialCareSerial += 1;
  const dateOfBirth = new Date(Date.UTC(1930, 0, 1) + socialCareSerial * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const sourceId = `differential-social-care-${socialCareSerial}`;
  const report = await app.server.services.socialCareNoticeImport.importLines([
    JSON.stringify({
      sourceId,
      kind: 'NEED_FOR_SOCIAL_CARE',
      municipalityCode,
      receivedAt: '2026-10-30T10:00:00Z',
      additionalInfo: 'Yhteydenottopyyntö',
      person: {
        personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, socialCareSerial),
        firstNames: 'Sofia',
        lastName: 'Sosiaali',
        dateOfBirth,
        nativeLanguage: 'sv',
        citizenship: 'FIN',
        address: { street: 'Hovrättsesplanaden 1', postalCode: '65100', postOffice: 'VASA' },
        phoneNumber: '+358 40 765 4321',
        firstResidencePermitStart: null,
        euEeaCitizen: false,
      },
    }),
  ]);
  expect(report).toMatchObject({ imported: 1 });
  const [row]: { id: string }[] = await app.dataSource.query(
    'SELECT id FROM social_care_notice WHERE source_id = $1',
    [sourceId],
  );
  return String(row?.id);
}

async function post(url: string, query: string, variables: Json, token: string | undefined): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** The same answer, whatever order the errors of one response were collected in. */
function normalized(answer: Answer): Answer {
  const errors = answer.body.errors?.map((error) => JSON.stringify(error)).sort();
  return { status: answer.status, body: { ...answer.body, ...(errors ? { errors } : {}) } as Answer['body'] };
}

beforeAll(async () => {
  app = await startTestApp();
  reference = await createHttpServer({
    dataSource: app.dataSource,
    clock: app.clock,
    verifyToken: createTokenVerifier({
      keys: localKeys(jwksOf(app.tokens.key)),
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    }),
    authorization: 'per-field',
  });
  referenceUrl = `http://127.0.0.1:${await reference.listen(0, '127.0.0.1')}/graphql`;
  const pathFor = app.server.authorization.pathFor.bind(app.server.authorization);
  app.server.authorization.pathFor = async (...args) => {
    const path = await pathFor(...args);
    paths.push(path);
    return path;
  };

  // One of everything the schema can show: a notification transferred here, one in processing, a list with a row,
  // access log entries by a reader of its own.
  const transferred = await app.given.notification({ municipalityCode: OTHER, ageDays: 3 });
  const sender = await app.tokens.handler([OTHER], { subject: 'sender' });
  const transfer = await post(
    app.url,
    'mutation($id: ID!) { transferToMunicipality(id: $id, municipalityCode: "905", reason: "Moved") { __typename } }',
    { id: transferred.id },
    sender,
  );
  expect(transfer.body.data).toEqual({ transferToMunicipality: { __typename: 'TransferReceipt' } });
  ids.notification = transferred.id;
  await app.given.notification({
    municipalityCode: HOME,
    status: NotificationStatus.IN_PROCESSING,
    ageDays: 5,
  });
  const report = await app.server.services.recipientImport.importLines([
    recipient({ municipalityCode: HOME }).line,
  ]);
  expect(report).toMatchObject({ imported: 1 });
  await app.server.services.homeCareAllowanceGeneration.generateMonth(
    '2026-10-30',
    new Date('2026-10-30T04:00:00Z'),
  );
  const [list]: { id: string }[] = await app.dataSource.query('SELECT id FROM home_care_allowance_list');
  ids.list = String(list?.id);
  // A social-care notice moved here from another PO municipality, so that its transfers show.
  const notice = await socialCareNotice(OTHER);
  const poSender = await app.tokens.sign(
    {
      acr: STRONG_ACR,
      name: 'PO sender',
      mandates: [{ welfareArea: 'PO', issues: ['SOCIAL_ASSISTANCE_CLIENT_DATA'] }],
    },
    { subject: 'po-sender' },
  );
  const moved = await post(
    app.url,
    'mutation($id: ID!) { transferSocialCareNotice(id: $id, municipalityCode: "905", reason: "Moved") { __typename } }',
    { id: notice },
    poSender,
  );
  expect(moved.body.data).toEqual({
    transferSocialCareNotice: { __typename: 'SocialCareNoticeTransferReceipt' },
  });
  ids.socialCareNotice = notice;
  const reader = await app.tokens.handler([HOME], { subject: 'seed-reader' });
  const read = await post(app.url, `{ notification(id: "${ids.notification}") { id } }`, {}, reader);
  expect(read.body.errors).toBeUndefined();
  await app.server.services.accessLog.flush();

  viewers.anonymous = undefined;
  viewers.handler = await app.tokens.handler([HOME]);
  viewers.otherMunicipality = await app.tokens.handler([OTHER]);
  viewers.weaklyAuthenticated = await app.tokens.handler([HOME], { acr: WEAK_ACR });
  viewers.socialCareHandler = await app.tokens.handler([HOME], {
    issues: ['SOCIAL_ASSISTANCE_CLIENT_DATA'],
    subject: 'social-care-handler',
  });
  viewers.welfareAreaHandler = await app.tokens.sign(
    {
      acr: STRONG_ACR,
      name: 'PO handler',
      mandates: [{ welfareArea: 'PO', issues: ['SOCIAL_ASSISTANCE_CLIENT_DATA'] }],
    },
    { subject: 'welfare-area-handler' },
  );
  viewers.reviewer = await app.tokens.handler([HOME], { issues: ['ACCESS_LOG_REVIEW'], subject: 'reviewer' });
  // A partner system whose agreement gives the home care allowance lists alone.
  await app.server.services.agreements.add({
    clientId: 'home-care-partner',
    organisationName: 'Vaasan kaupunki',
    businessId: '0209602-6',
    legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 84 §',
    dataContents: [DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE],
    municipalityCodes: [HOME],
    validFrom: '2026-01-01',
    validTo: null,
  });
  viewers.homeCarePartner = await app.tokens.sign(
    { client_id: 'home-care-partner', name: 'Vaasa CRM' },
    { subject: 'home-care-partner' },
  );
});

afterAll(async () => {
  await reference?.close();
  await app?.close();
});

/** Arguments a query gives where the schema requires one or where a default would show nothing. */
const ARGUMENTS: Record<string, () => string> = {
  'Query.notifications': () => `filter: { status: NEW, municipalityCode: "${HOME}" }, first: 5`,
  'Query.notification': () => `id: "${ids.notification}"`,
  'Query.homeCareAllowanceLists': () => `municipalityCode: "${HOME}", first: 5`,
  'Query.homeCareAllowanceList': () => `id: "${ids.list}"`,
  'Query.accessLog': () => 'filter: { userId: "seed-reader" }, first: 5',
  'Query.socialCareNotices': () => `filter: { municipalityCode: "${HOME}" }, first: 5`,
  'Query.socialCareNotice': () => `id: "${ids.socialCareNotice}"`,
};

/** The state changes whose results are the types only a mutation returns, each on a notification of its own. */
type Fixture = { ageDays: number } | { socialCareNotice: true };

const SCENARIOS: Record<string, { mutation: string; arguments: string; fixture: Fixture }> = {
  InvalidTransition: { mutation: 'returnToNew', arguments: '', fixture: { ageDays: 2 } },
  NotificationRemoved: { mutation: 'moveToProcessing', arguments: '', fixture: { ageDays: 40 } },
  TransferReceipt: {
    mutation: 'transferToMunicipality',
    arguments: `, municipalityCode: "${OTHER}", reason: "Moved on"`,
    fixture: { ageDays: 2 },
  },
  SocialCareNoticeTransferReceipt: {
    mutation: 'transferSocialCareNotice',
    arguments: ', municipalityCode: "598", reason: "Moved on"',
    fixture: { socialCareNotice: true },
  },
};

function requiredArguments(field: GraphQLField<unknown, unknown>): GraphQLArgument[] {
  return field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
}

interface Step {
  type: GraphQLObjectType;
  field: string;
  /** The union member the step's type is reached through, as an inline fragment. */
  onType?: string;
}

/** The shortest path of fields from the query root to every object type. */
function pathsFromQuery(schema: GraphQLSchema): Map<string, Step[]> {
  const query = schema.getQueryType() as GraphQLObjectType;
  const found = new Map<string, Step[]>([[query.name, []]]);
  const queue: GraphQLObjectType[] = [query];
  while (queue.length > 0) {
    const type = queue.shift() as GraphQLObjectType;
    for (const field of Object.values(type.getFields())) {
      if (requiredArguments(field).length > 0 && !ARGUMENTS[`${type.name}.${field.name}`]) continue;
      const named = getNamedType(field.type);
      const targets = isObjectType(named) ? [named] : isUnionType(named) ? named.getTypes() : [];
      for (const target of targets) {
        if (found.has(target.name)) continue;
        const step: Step = {
          type,
          field: field.name,
          ...(isUnionType(named) ? { onType: target.name } : {}),
        };
        found.set(target.name, [...(found.get(type.name) ?? []), step]);
        queue.push(target);
      }
    }
  }
  return found;
}

/** `a(args) { ... on T { b { leaf } } }` along the path, ending in the field under test. */
function selection(path: Step[], leaf: string): string {
  return path.reduceRight((inner, step) => {
    const args = ARGUMENTS[`${step.type.name}.${step.field}`]?.();
    const body = step.onType ? `... on ${step.onType} { ${inner} }` : inner;
    return `${step.field}${args ? `(${args})` : ''} { ${body} }`;
  }, leaf);
}

function leafOf(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  const body = isObjectType(named) || isUnionType(named) ? ' { __typename }' : '';
  return `${field.name}${body}`;
}

interface Case {
  name: string;
  query: string;
  /** Mutations get a fresh notification (or social-care notice) per run: `$id`. */
  fixture?: Fixture;
}

/**
 * Subscriptions never run on the fast schema: they are decided per operation when subscribing and every event runs on
 * the shielded schema (src/http/subscriptions.ts); test/subscriptions.test.ts covers them.
 */
const SUBSCRIPTION_ONLY_TYPES = new Set(['Subscription', 'NotificationsChanged']);

function casesFor(schema: GraphQLSchema): Case[] {
  const fromQuery = pathsFromQuery(schema);
  const cases: Case[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type) || SUBSCRIPTION_ONLY_TYPES.has(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const name = `${type.name}.${field.name}`;
      if (
        requiredArguments(field).some((arg) => isInputObjectType(getNamedType(arg.type))) &&
        !ARGUMENTS[name]
      )
        throw new Error(`${name}: give the differential test arguments for it`);
      const path = fromQuery.get(type.name);
      if (path) {
        cases.push({ name, query: `{ ${selection(path, leafOf(field))} }` });
      } else if (type === schema.getMutationType()) {
        const scenario = Object.values(SCENARIOS).find((s) => s.mutation === field.name);
        if (!scenario) throw new Error(`${name}: no scenario`);
        cases.push({
          name,
          query: `mutation($id: ID!) { ${field.name}(id: $id${scenario.arguments}) { __typename } }`,
          fixture: scenario.fixture,
        });
      } else {
        const scenario = SCENARIOS[type.name];
        if (!scenario) throw new Error(`${name}: not reachable from the query root and no mutation scenario`);
        cases.push({
          name,
          query: `mutation($id: ID!) { ${scenario.mutation}(id: $id${scenario.arguments}) { ... on ${type.name} { ${leafOf(field)} } } }`,
          fixture: scenario.fixture,
        });
      }
    }
  }
  return cases;
}

describe('authorization per operation and per object', () => {
  it('answers every field of the schema for every viewer exactly as shield on every field does', async () => {
    const cases = casesFor(app.server.authorization.fast);
    expect(cases.length).toBeGreaterThan(150);
    const differences: string[] = [];
    let allowedWhole = 0;
    for (const testCase of cases) {
      for (const [viewer, token] of Object.entries(viewers)) {
        const variables = async (): Promise<Json> =>
          !testCase.fixture
            ? {}
            : 'socialCareNotice' in testCase.fixture
              ? { id: await socialCareNotice(HOME) }
              : { id: (await app.given.notification({ municipalityCode: HOME, ...testCase.fixture })).id };
        paths.length = 0;
        const fast = normalized(await post(app.url, testCase.query, await variables(), token));
        const taken = [...paths];
        const shielded = normalized(await post(referenceUrl, testCase.query, await variables(), token));
        // Mutations ran on notifications of their own: their ids differ by design.
        const comparable = (answer: Answer) =>
          JSON.stringify(answer).replace(
            /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
            '<id>',
          );
        if (comparable(fast) !== comparable(shielded)) {
          differences.push(
            `${testCase.name} as ${viewer}:\n  service   ${comparable(fast)}\n  reference ${comparable(shielded)}`,
          );
        }
        if (!shielded.body.errors) {
          allowedWhole += 1;
          if (!taken.includes('fast'))
            differences.push(`${testCase.name} as ${viewer}: allowed, yet not on the fast path`);
        }
      }
    }
    expect(differences).toEqual([]);
    // Each viewer that may read something was allowed a share of the fields: the comparison covered both outcomes.
    expect(allowedWhole).toBeGreaterThan(cases.length);
    expect(allowedWhole).toBeLessThan(cases.length * Object.keys(viewers).length);
  }, 300_000);
});

/**
 * Row scope per object, which the service's SQL never lets fail (it reads only the viewer's municipalities): a schema
 * of its own whose list mixes objects in and out of scope, with rules that answer synchronously and asynchronously.
 */
describe('row-scope rules per object', () => {
  const items = [
    { id: '1', scope: 'in', secret: 'a' },
    { id: '2', scope: 'out', secret: 'b' },
    { id: '3', scope: 'in', secret: 'c' },
  ];
  const build = () => {
    const item = new GraphQLObjectType({
      name: 'Item',
      fields: {
        id: { type: new GraphQLNonNull(GraphQLString) },
        secret: { type: GraphQLString },
        note: { type: GraphQLString, resolve: async (parent: { id: string }) => `note ${parent.id}` },
        broken: {
          type: GraphQLString,
          resolve: () => {
            throw new Error('driver failure');
          },
        },
      },
    });
    return new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          items: { type: new GraphQLList(item), resolve: () => items },
          strictItems: { type: new GraphQLList(new GraphQLNonNull(item)), resolve: () => items },
          hidden: { type: GraphQLString, resolve: () => 'hidden' },
        },
      }),
    });
  };
  const inScope = rule({ cache: 'no_cache' })((parent: { scope: string }) =>
    parent.scope === 'in' ? true : new Error('Not found.'),
  );
  const inScopeAsync = rule({ cache: 'no_cache' })(
    async (parent: { scope: string }) => parent.scope === 'in',
  );
  const signedIn = rule({ cache: 'contextual' })(
    (_parent, _args, ctx: { user?: string }) => ctx.user !== undefined,
  );
  const fallbackError = (thrown: unknown) =>
    thrown == null ? new Error('Forbidden.') : new Error('Internal.');

  for (const [name, itemRule] of [
    ['a synchronous rule', inScope],
    ['an asynchronous rule', inScopeAsync],
  ] as const) {
    it(`gives the same data and errors as shield on every field, with ${name}`, async () => {
      const shieldOf = operationShield(
        build,
        {
          Query: { items: signedIn, strictItems: signedIn, hidden: deny },
          Item: { '*': itemRule, id: and(allow, itemRule) },
        },
        { fallbackRule: deny, fallbackError },
      );
      for (const source of [
        '{ items { id secret note broken } }',
        '{ strictItems { id secret } }',
        '{ items { id } hidden }',
      ]) {
        for (const user of ['someone', undefined]) {
          const document = parse(source);
          const ctx = () => (user ? { user } : {});
          const fastContext = ctx();
          const path = await shieldOf.pathFor(document, undefined, {}, fastContext);
          const run = async (schema: GraphQLSchema, contextValue: object) =>
            normalized({
              status: 200,
              body: JSON.parse(JSON.stringify(await execute({ schema, document, contextValue }))),
            });
          expect(path).toBe(user && !source.includes('hidden') ? 'fast' : 'shielded');
          expect(await run(shieldOf[path], fastContext), `${source} as ${user}`).toEqual(
            await run(shieldOf.shielded, ctx()),
          );
        }
      }
    });
  }
});
