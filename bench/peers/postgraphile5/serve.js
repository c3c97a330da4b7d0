// PostGraphile 5 on the service's tables, for bench/api.ts: the Amber preset over schema public, default mutations
// off, production settings (no GraphiQL, no watch, no websockets, no explain). Run with `-r ../with-resolvers.js`
// on Node 20. BENCH_PRINT_SCHEMA=1 prints the GraphQL schema and exits.
const http = require('node:http');
const pg = require('pg');
const { postgraphile } = require('postgraphile');
const { PostGraphileAmberPreset } = require('postgraphile/presets/amber');
const { makePgService } = require('postgraphile/adaptors/pg');
const { grafserv } = require('postgraphile/grafserv/node');
const { printSchema } = require('graphql');
const { required, serveUntilStopped } = require('../serve-common');

async function main() {
  const pool = new pg.Pool({
    connectionString: required('BENCH_DB_URL'),
    max: Number(required('BENCH_POOL_SIZE')),
    application_name: 'kelmu-bench-postgraphile5',
  });
  const preset = {
    extends: [PostGraphileAmberPreset],
    disablePlugins: ['PgMutationCreatePlugin', 'PgMutationUpdateDeletePlugin'],
    pgServices: [makePgService({ pool, schemas: ['public'] })],
    grafserv: { graphiql: false, watch: false, websockets: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  if (process.env.BENCH_PRINT_SCHEMA) {
    process.stdout.write(printSchema(await pgl.getSchema()));
    await pgl.release();
    await pool.end();
    return;
  }
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  await serv.addTo(server, false);
  await pgl.getSchema();
  serveUntilStopped(server, async () => {
    await pgl.release();
    await pool.end();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
