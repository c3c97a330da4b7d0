/**
 * Layers run one way (issue 11):
 *   entry (src/main.ts, src/cli) -> http, schema -> resolvers, jobs -> auth -> services
 *     -> (loaders, db, entities, domain)
 * with the shared leaves (src/config.ts, src/logger.ts, src/paths.ts, src/i18n) usable from anywhere, and src/dev
 * (fictive and demo data) beside them: it uses services and below, and only the entry points import it.
 * Only src is checked: test/ and bench/ may import anything. `npm run lint:layers` runs it; `npm test` runs that.
 *
 * Decision: auth sits between resolvers and services. It is used by http, schema, resolvers and the entry points,
 * may read services (the agreements that rules check) and everything below, and never imports http, schema,
 * resolvers or jobs. The viewer model services need (who asks, which grants) is plain data below services.
 */

/** Paths, as regular expressions, of each layer. */
const entry = '^src/(main\\.ts|cli/)';
const http = '^src/http/';
const schema = '^src/schema/';
const resolvers = '^src/resolvers/';
const jobs = '^src/jobs/';
const auth = '^src/auth/';
const services = '^src/services/';
const lower = '^src/(loaders|db|entities|domain)/';
const dev = '^src/dev/';
const leaves = '^src/(config\\.ts|logger\\.ts|paths\\.ts|i18n/)';

const forbid = (name, comment, from, to, fromPathNot) => ({
  name,
  comment,
  severity: 'error',
  from: fromPathNot ? { path: from, pathNot: fromPathNot } : { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    forbid('no-import-of-main', 'Nothing imports main.', '^src/', '^src/main\\.ts$'),
    forbid(
      'cli-only-from-cli',
      'Only the command-line entry points import their shared helpers (src/cli/args.ts).',
      '^src/',
      '^src/cli/',
      '^src/cli/',
    ),
    forbid(
      'http-only-from-entry',
      'http is imported only by the entry points (and within itself).',
      '^src/',
      http,
      `${entry}|${http}`,
    ),
    forbid(
      'schema-only-from-entry-or-http',
      'The schema is built from resolvers and used by http and the entry points only.',
      '^src/',
      schema,
      `${entry}|${http}|${schema}`,
    ),
    forbid(
      'resolvers-only-from-above',
      'Resolvers are used by the schema (and http, the entry points), never by what lies below them.',
      '^src/',
      resolvers,
      `${entry}|${http}|${schema}|${resolvers}`,
    ),
    forbid(
      'jobs-only-from-entry-or-http',
      'jobs is an entry-side layer beside resolvers.',
      '^src/',
      jobs,
      `${entry}|${http}|${jobs}`,
    ),
    forbid(
      'auth-only-from-above',
      'auth is used by http, schema, resolvers, jobs and the entry points; services and below do not import it.',
      '^src/',
      auth,
      `${entry}|${http}|${schema}|${resolvers}|${jobs}|${auth}`,
    ),
    forbid(
      'dev-only-from-entry',
      'Fictive and demo data (src/dev) are loaded by the entry points only (and bench/, test/), never by the service.',
      '^src/',
      dev,
      `${entry}|${dev}`,
    ),
    forbid(
      'dev-uses-services-and-below',
      'src/dev builds data through services, db and domain; it imports nothing of the edge (http, schema, resolvers, jobs, auth).',
      dev,
      `${http}|${schema}|${resolvers}|${jobs}|${auth}`,
    ),
    forbid(
      'services-only-from-above',
      'Services are used by the layers above them, never by loaders, db, entities, domain or the leaves.',
      `${lower}|${leaves}`,
      services,
    ),
    forbid(
      'lower-not-up',
      'loaders, db, entities and domain import only each other and the shared leaves.',
      lower,
      `^src/(?!(loaders|db|entities|domain|i18n)/|config\\.ts$|logger\\.ts$|paths\\.ts$)`,
    ),
    forbid(
      'leaves-not-up',
      'The shared leaves (config, logger, paths, i18n) import only domain and each other.',
      leaves,
      `^src/(?!(domain|i18n)/|config\\.ts$|logger\\.ts$|paths\\.ts$)`,
    ),
    {
      name: 'no-circular',
      comment: 'No import cycle between layers (type-only imports count too).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { path: '^src/' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
