// PostGraphile 4 on the service's tables, for bench/api.ts: its middleware on node:http over schema public, default
// mutations off, production settings (no GraphiQL, no watch, no query log, no extended errors, JSON as JSON).
const http = require('node:http');
const pg = require('pg');
const { postgraphile } = require('postgraphile');
const { required, serveUntilStopped } = require('../serve-common');

const pool = new pg.Pool({
  connectionString: required('BENCH_DB_URL'),
  max: Number(required('BENCH_POOL_SIZE')),
  application_name: 'kelmu-bench-postgraphile4',
});
const middleware = postgraphile(pool, 'public', {
  graphiql: false,
  watchPg: false,
  disableQueryLog: true,
  extendedErrors: [],
  showErrorStack: false,
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  disableDefaultMutations: true,
  enableQueryBatching: false,
  legacyRelations: 'omit',
  retryOnInitFail: false,
});
const server = http.createServer(middleware);
// The schema is built on the first request otherwise: build it before reporting the port.
middleware.getGraphQLSchema().then(
  () => serveUntilStopped(server, () => middleware.release().then(() => pool.end())),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
