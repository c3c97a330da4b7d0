import http from 'node:http';
import pg from 'pg';
import { removalThreshold } from '../src/domain/notification-rules';
import {
  type FloorPlan,
  type FloorPlans,
  type ListVariables,
  listResponse,
  type NotificationRow,
  type PersonRow,
  type PlannedStatement,
} from './api-query';
import { required } from './child-env';

/**
 * The floor for bench/api.ts: the least a Node.js server can do to answer the benchmark's list request. A bare
 * node:http handler and a `pg` Pool of the service's size run exactly the SQL statements the service ran for the
 * same request (captured from it by the parent and passed in BENCH_FLOOR_PLANS), one after the other as the service
 * does, and build the same JSON with JSON.stringify. No Express, no GraphQL, no token, no permission checks.
 * Prints `{"port":…}` on stdout; stops like bench/api-serve.ts.
 */

// As the service's data source: DATE columns stay 'YYYY-MM-DD' strings.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

const plans = JSON.parse(required('BENCH_FLOOR_PLANS')) as FloorPlans;
const pool = new pg.Pool({
  connectionString: required('BENCH_DB_URL'),
  max: Number(required('BENCH_POOL_SIZE')),
  application_name: 'kelmu-bench-floor',
});

function values(statement: PlannedStatement, threshold: Date, personIds: string[]): unknown[] {
  return statement.parameters.map((parameter) =>
    parameter.kind === 'threshold' ? threshold : parameter.kind === 'personIds' ? personIds : parameter.value,
  );
}

async function answer(plan: FloorPlan): Promise<string> {
  const now = new Date();
  const threshold = removalThreshold(now);
  const counted = await pool.query<{ cnt: string }>(plan.count.sql, values(plan.count, threshold, []));
  const page = await pool.query<NotificationRow>(plan.page.sql, values(plan.page, threshold, []));
  const personIds = [...new Set(page.rows.slice(0, plan.first).map((row) => row.personId))];
  const persons = new Map<string, PersonRow>();
  if (personIds.length > 0) {
    const found = await pool.query<PersonRow>(plan.persons.sql, values(plan.persons, threshold, personIds));
    for (const person of found.rows) persons.set(person.id, person);
  }
  return listResponse(Number(counted.rows[0]?.cnt ?? 0), page.rows, plan.first, persons, now);
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let variables: ListVariables;
    try {
      ({ variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: ListVariables });
    } catch {
      send(res, 400, '{"errors":[{"message":"unreadable body"}]}');
      return;
    }
    const plan = variables.filter.postalCode ? plans.filtered : plans.unfiltered;
    if (variables.first !== plan.first) {
      send(res, 400, `{"errors":[{"message":"the floor only serves first: ${plan.first}"}]}`);
      return;
    }
    answer(plan).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        console.error(error);
        send(res, 500, '{"errors":[{"message":"floor failed"}]}');
      },
    );
  });
});

let stopping = false;
const stop = (code: number) => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 5_000).unref();
  server.closeAllConnections();
  server.close(() => {
    pool.end().finally(() => process.exit(code));
  });
};
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') stop(0);
});
process.on('disconnect', () => stop(0));
process.on('SIGTERM', () => stop(0));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
