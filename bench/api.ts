import 'reflect-metadata';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { mintHandlerToken } from '../src/auth/authentication';
import { generateSigningKey, jwksOf } from '../src/auth/signing-key';
import { removalThreshold } from '../src/domain/notification-rules';
import { PROJECT_ROOT } from '../src/paths';
import { loadReferenceInputs, writeFictiveData } from '../src/services/fictive-data';
import {
  DEFAULT_ELIGIBILITY,
  ImmigrantNotificationRunService,
} from '../src/services/immigrant-notification-run.service';
import { formatSummary, type ProfileSummary, summarizeProfile } from './api-profile-summary';
import {
  ACCESS_LOG_INSERT,
  type CapturedStatement,
  type CapturedValue,
  type FloorPlan,
  type FloorPlans,
  type ListVariables,
  listBody,
  type PlanParameter,
} from './api-query';
import {
  cleanUpRegistry,
  createScratchDatabase,
  openMigratedDatabase,
  runBenchmark,
  startDatabaseServer,
  withTimeout,
} from './support';

/*
 * Benchmark of the weekly run and of the API's list latency against a floor (`npm run bench:api`).
 *
 * 1. PostgreSQL: an embedded one in a temp folder on a free port, or a new database on BENCH_DATABASE_URL (an
 *    admin URL; the database is dropped afterwards). Migrations, reference data, then writeFictiveData with
 *    --persons fictive persons (default 1,000,000) as of AS_OF.
 * 2. The weekly run (ImmigrantNotificationRunService.run) over them, timed; a rerun (next week, nothing new) too;
 *    then VACUUM ANALYZE.
 * 3. The municipality with the most New notifications and its postal code with the most.
 * 4. The service in a child process (bench/api-serve.ts): createHttpServer with jose over a local JWKS whose
 *    private key only this process holds, shield, graphql-jit, TypeORM; NODE_ENV=production, LOG_LEVEL=warn.
 * 5. The floor in a child process (bench/floor-serve.ts): node:http + pg running the SQL the service ran for the
 *    same request (recorded by the service's logger), returning the same JSON; checked byte for byte.
 * 6. SQL statements per list request for first=5 and first=50.
 * 7. Load with autocannon from this process: POST /graphql with the bearer token, --connections (10) at a time,
 *    --warmup (300) requests, then --requests (3,000) per target, unfiltered then filtered. The service's and the
 *    floor's requests run in --slices (6) alternating slices (service, floor, floor, service, …), so that both meet
 *    the same background load of this shared machine: the ratio of their throughputs holds where absolute figures
 *    do not. Latency p50/p95/p99 over every response, throughput, CPU ms per request of the server process and of
 *    PostgreSQL (from /proc); every body checked for data without errors, some parsed in full. The access log
 *    (the audit of reads) is on: its rows are counted before and after.
 * 8. --profile: another service process, warmed up, then V8's CPU profiler (as node --cpu-prof, through the
 *    inspector) over --profile-requests unfiltered requests only; the profile is summarised
 *    (bench/api-profile-summary.ts).
 *
 * Prints a table; writes bench-results/api.json (and api-service.cpuprofile with --profile). Bounded by
 * --timeout-minutes; everything started is stopped and removed at the end, on error, timeout or Ctrl-C.
 */

const USAGE = `Usage: npm run bench:api -- [--persons N] [--requests N] [--warmup N] [--connections N] [--pool N]
                         [--slices N] [--profile] [--profile-requests N] [--timeout-minutes N]`;

function options() {
  const { values } = parseArgs({
    options: {
      persons: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '3000' },
      warmup: { type: 'string', default: '300' },
      connections: { type: 'string', default: '10' },
      pool: { type: 'string', default: '10' },
      slices: { type: 'string', default: '6' },
      profile: { type: 'boolean', default: false },
      'profile-requests': { type: 'string', default: '3000' },
      'timeout-minutes': { type: 'string', default: '30' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const integer = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be a whole number ≥ ${min}\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  const connections = integer('connections', 1);
  const slices = integer('slices', 1);
  const requests = integer('requests', connections * slices);
  const warmup = integer('warmup', 0);
  if ((warmup > 0 && warmup < connections) || Math.floor(requests / slices) < connections) {
    console.error(`--warmup (unless 0) and --requests / --slices must be at least --connections\n${USAGE}`);
    process.exit(2);
  }
  return {
    persons: integer('persons', 1000),
    requests,
    warmup,
    connections,
    pool: integer('pool', 1),
    slices,
    profile: values.profile === true,
    profileRequests: integer('profile-requests', connections),
    timeoutMs: integer('timeout-minutes', 1) * 60_000,
  };
}
const OPTIONS = options();

/** A Monday: Kela's run date; the generated benefit histories end in its month. */
const AS_OF = '2026-11-02';
const SEED = 1;
const FIRST = 50;
const ISSUER = 'https://identity-gateway.bench';
const AUDIENCE = 'kelmu-graphql';
const RESULT_FILE = path.join(PROJECT_ROOT, 'bench-results', 'api.json');
const PROFILE_FILE = path.join(PROJECT_ROOT, 'bench-results', 'api-service.cpuprofile');
const STATEMENT_SAMPLES = 20;
const TARGETS = { throughputRatio: 0.5, statementsPerRequest: 3, weeklyRunMs: 10_000 };

const log = (message: string) => process.stderr.write(`[bench:api] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Everything started here is registered for clean-up, which runs once: at the end, on error, timeout or Ctrl-C.

const { cleanups, cleanUp } = cleanUpRegistry(log, 30_000);

// ---------------------------------------------------------------------------------------------------------------
// CPU time from /proc

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime and the parent pid of a process; null when it is gone. */
function procStat(pid: number): { cpuTicks: number; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is field 3, ppid 4, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuTicks: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

function cpuMs(pid: number): number {
  return ((procStat(pid)?.cpuTicks ?? Number.NaN) * 1000) / ticksPerSecond();
}

/** The postmaster and all its children (backends, writers), summed per pid so that a backend's exit is seen. */
function postgresCpu(postmasterPid: number | null): Map<number, number> | null {
  if (postmasterPid === null) return null;
  const result = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (stat && (pid === postmasterPid || stat.ppid === postmasterPid)) result.set(pid, stat.cpuTicks);
  }
  return result;
}

function postgresCpuMsBetween(before: Map<number, number> | null, after: Map<number, number> | null) {
  if (!before || !after) return null;
  let ticks = 0;
  for (const [pid, value] of after) ticks += value - (before.get(pid) ?? 0);
  return (ticks * 1000) / ticksPerSecond();
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes: the service and the floor

/** Lines each child wrote to stderr (its warnings and errors: LOG_LEVEL=warn). */
const stderrLines: Record<string, number> = {};
const STDERR_LINES_SHOWN = 5;

interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  port: number;
  url: string;
  stop(): Promise<void>;
}

async function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<Child> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, '-r', '@swc-node/register', path.join(__dirname, script)],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: the process did not start`);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      try {
        await withTimeout(exited, 15_000, `${name} stop`);
      } catch {
        child.kill('SIGKILL');
        await withTimeout(exited, 5_000, `${name} kill`);
      }
    })();
    return stopped;
  };
  cleanups.push({ name: `${name} process ${pid}`, run: stop });
  // Its log (warnings and errors only): the first lines pass through, the rest are counted.
  let errorOutput = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    errorOutput += chunk;
    const lines = errorOutput.split('\n');
    errorOutput = lines.pop() ?? '';
    for (const line of lines) {
      const count = (stderrLines[name] ?? 0) + 1;
      stderrLines[name] = count;
      if (count <= STDERR_LINES_SHOWN) process.stderr.write(`[${name}] ${line.slice(0, 1000)}\n`);
      else if (count === STDERR_LINES_SHOWN + 1) log(`${name}: further log lines are only counted`);
    }
  });
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        output += chunk;
        const lines = output.split('\n');
        output = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
          else process.stderr.write(`[${name}] ${line}\n`);
        }
      });
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    }),
    120_000,
    `${name} start`,
  );
  return { name, process: child, pid, port, url: `http://127.0.0.1:${port}`, stop };
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function postList(url: string, token: string | null, variables: ListVariables) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: listBody(variables),
  });
  return { status: response.status, text: await response.text() };
}

interface ListResult {
  data?: {
    notifications: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: { id: string; person: { lastName: string | null } | null } }[];
    };
  };
  errors?: unknown[];
}

const DATE_TOLERANCE_MS = 10 * 60_000;

/**
 * Turns what the service ran for one list request into the floor's plan: the in-processing threshold becomes
 * removalThreshold(request time) again, the page's person ids a parameter, everything else stays as recorded.
 */
function planFrom(statements: CapturedStatement[], capturedAt: number, first: number): FloorPlan {
  if (statements.length !== 3) {
    throw new Error(
      `expected the service to run 3 statements for a list request, it ran ${statements.length}:\n` +
        statements.map((s) => s.sql).join('\n'),
    );
  }
  const [count, page, persons] = statements as [CapturedStatement, CapturedStatement, CapturedStatement];
  if (!/COUNT\(/i.test(count.sql) || !/LIMIT/i.test(page.sql) || !/FROM "?person"?/i.test(persons.sql)) {
    throw new Error(`unexpected statements:\n${statements.map((s) => s.sql).join('\n')}`);
  }
  const template = (value: CapturedValue, role: 'count' | 'page' | 'persons'): PlanParameter => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const at = Date.parse(value.$date);
      if (Math.abs(at - removalThreshold(new Date(capturedAt)).getTime()) > DATE_TOLERANCE_MS) {
        throw new Error(`a date parameter that is not the 30-day threshold: ${value.$date}`);
      }
      return { kind: 'threshold' };
    }
    if (role === 'persons' && Array.isArray(value)) return { kind: 'personIds' };
    return { kind: 'const', value };
  };
  return {
    first,
    count: { sql: count.sql, parameters: count.parameters.map((v) => template(v, 'count')) },
    page: { sql: page.sql, parameters: page.parameters.map((v) => template(v, 'page')) },
    persons: { sql: persons.sql, parameters: persons.parameters.map((v) => template(v, 'persons')) },
  };
}

/** One run of autocannon against one server: the raw figures. */
interface Measurement {
  latencies: number[];
  durationMs: number;
  serverCpuMs: number;
  postgresCpuMs: number | null;
  loadGeneratorCpuMs: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  mismatches: number;
  bodiesChecked: number;
  sampledBodiesParsed: number;
  bytes: number;
}

interface LoadResult {
  target: string;
  server: 'service' | 'floor';
  variant: 'unfiltered' | 'filtered';
  requests: number;
  connections: number;
  slices: number;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number | null;
  loadGeneratorCpuMsPerRequest: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  mismatches: number;
  bodiesChecked: number;
  sampledBodiesParsed: number;
  bytesPerResponse: number;
  /** Requests per second in each slice, in order. */
  sliceRequestsPerSecond: number[];
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const round1 = (value: number, digits = 2) => Number(value.toFixed(digits));

/** A fixed number of requests at fixed concurrency; every body checked cheaply, some parsed in full. */
async function measure(
  child: Child,
  url: string,
  token: string | null,
  variables: ListVariables,
  amount: number,
  expected: { totalCount: number; edges: number },
  postmasterPid: number | null,
): Promise<Measurement> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let checked = 0;
  let parsed = 0;
  let bytes = 0;
  const problems: string[] = [];
  const verifyBody = (raw: string | Buffer | undefined) => {
    const body = typeof raw === 'string' ? raw : (raw?.toString('utf8') ?? '');
    checked += 1;
    bytes += Buffer.byteLength(body);
    const ok = body.startsWith('{"data":{"notifications":{"totalCount":') && !body.includes('"errors"');
    if (ok && checked % 250 === 1) {
      parsed += 1;
      const result = JSON.parse(body) as ListResult;
      const list = result.data?.notifications;
      if (list?.totalCount !== expected.totalCount || list.edges.length !== expected.edges) {
        problems.push(`body ${checked}: totalCount ${list?.totalCount}, ${list?.edges.length} edges`);
        return false;
      }
    }
    if (!ok && problems.length < 3) problems.push(`body ${checked}: ${body.slice(0, 300)}`);
    return ok;
  };
  const cpuBefore = cpuMs(child.pid);
  const pgBefore = postgresCpu(postmasterPid);
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  // Autocannon notices that the last request is done only at its next sampling tick: time up to the last response.
  let lastResponseAt = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: listBody(variables),
        connections: OPTIONS.connections,
        amount,
        timeout: 60,
        sampleInt: 100,
        verifyBody,
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      latencies.push(responseTime);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
  const durationMs = lastResponseAt - started;
  const generator = process.cpuUsage(generatorBefore);
  if (problems.length > 0) log(`${child.name}: ${problems.join('\n')}`);
  return {
    latencies,
    durationMs,
    serverCpuMs: cpuMs(child.pid) - cpuBefore,
    postgresCpuMs: postgresCpuMsBetween(pgBefore, postgresCpu(postmasterPid)),
    loadGeneratorCpuMs: (generator.user + generator.system) / 1000,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    bodiesChecked: checked,
    sampledBodiesParsed: parsed,
    bytes,
  };
}

/** Several measurements of one target as one: latency percentiles over all responses, rates over the summed time. */
function aggregate(
  server: LoadResult['server'],
  variant: LoadResult['variant'],
  parts: readonly Measurement[],
): LoadResult {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const done = latencies.length;
  const per = (value: number) => value / Math.max(1, done);
  const sum = (pick: (p: Measurement) => number) => parts.reduce((total, p) => total + pick(p), 0);
  const durationMs = sum((p) => p.durationMs);
  const statusCodes: Record<string, number> = {};
  for (const part of parts) {
    for (const [code, count] of Object.entries(part.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  const postgres = parts.some((p) => p.postgresCpuMs === null) ? null : sum((p) => p.postgresCpuMs ?? 0);
  return {
    target: `${server} ${variant}`,
    server,
    variant,
    requests: done,
    connections: OPTIONS.connections,
    slices: parts.length,
    durationMs: Math.round(durationMs),
    requestsPerSecond: round1((done * 1000) / durationMs, 1),
    latencyMs: {
      p50: round1(percentile(latencies, 0.5)),
      p95: round1(percentile(latencies, 0.95)),
      p99: round1(percentile(latencies, 0.99)),
      mean: round1(per(latencies.reduce((total, v) => total + v, 0))),
      max: round1(latencies.at(-1) ?? Number.NaN),
    },
    serverCpuMsPerRequest: round1(per(sum((p) => p.serverCpuMs)), 3),
    postgresCpuMsPerRequest: postgres === null ? null : round1(per(postgres), 3),
    loadGeneratorCpuMsPerRequest: round1(per(sum((p) => p.loadGeneratorCpuMs)), 3),
    statusCodes,
    errors: sum((p) => p.errors),
    timeouts: sum((p) => p.timeouts),
    mismatches: sum((p) => p.mismatches),
    bodiesChecked: sum((p) => p.bodiesChecked),
    sampledBodiesParsed: sum((p) => p.sampledBodiesParsed),
    bytesPerResponse: Math.round(per(sum((p) => p.bytes))),
    sliceRequestsPerSecond: parts.map((p) => round1((p.latencies.length * 1000) / p.durationMs, 1)),
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg();
  const t0 = performance.now();
  const started = await startDatabaseServer(cleanups, 'kelmu-bench-api-');
  const database = {
    ...started,
    description: started.port === null ? started.description : `${started.description}, port ${started.port}`,
  };
  const url = await createScratchDatabase(cleanups, database.adminUrl, 'kelmu_bench_api_');
  const { dataSource, serverVersion } = await openMigratedDatabase(cleanups, url, 2);
  log(
    `PostgreSQL ${serverVersion} (${database.description}) migrated in ${Math.round(performance.now() - t0)} ms`,
  );

  // Benefit facts and the weekly run
  const fill = await writeFictiveData(dataSource, {
    ...loadReferenceInputs(),
    seed: SEED,
    count: OPTIONS.persons,
    asOf: AS_OF,
    truncate: true,
    rule: DEFAULT_ELIGIBILITY,
  });
  log(
    `writeFictiveData: ${fill.persons} persons in ${Math.round(fill.totalMs)} ms (+ ANALYZE ${Math.round(fill.analyzeMs)} ms); ${fill.eligible} eligible`,
  );
  const run = new ImmigrantNotificationRunService(dataSource, DEFAULT_ELIGIBILITY);
  const tRun = performance.now();
  const firstRun = await run.run(AS_OF, new Date());
  const weeklyRunMs = performance.now() - tRun;
  log(`weekly run: ${firstRun.created} notifications in ${Math.round(weeklyRunMs)} ms`);
  if (firstRun.created !== fill.eligible) {
    log(
      `warning: the weekly run created ${firstRun.created}, writeFictiveData counted ${fill.eligible} eligible`,
    );
  }
  const tRerun = performance.now();
  const rerun = await run.run(AS_OF, new Date());
  const rerunMs = performance.now() - tRerun;
  log(`weekly rerun: ${rerun.created} notifications in ${Math.round(rerunMs)} ms`);
  const tVacuum = performance.now();
  await dataSource.query('VACUUM ANALYZE');
  const vacuumMs = performance.now() - tVacuum;

  const [largest] = (await dataSource.query(
    `SELECT municipality_code AS code, m.name_fi AS name, count(*)::int AS notifications
       FROM notification n JOIN municipality m ON m.code = n.municipality_code
      WHERE n.status = 'NEW' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 1`,
  )) as { code: string; name: string; notifications: number }[];
  if (!largest) throw new Error('the weekly run created no notifications');
  const [area] = (await dataSource.query(
    `SELECT p.postal_code AS code, count(*)::int AS notifications
       FROM notification n JOIN person p ON p.id = n.person_id
      WHERE n.status = 'NEW' AND n.municipality_code = $1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
    [largest.code],
  )) as { code: string; notifications: number }[];
  if (!area) throw new Error(`no postal code in ${largest.code}`);
  log(
    `largest: ${largest.code} ${largest.name} with ${largest.notifications} New; postal code ${area.code} with ${area.notifications}`,
  );
  /** Rows of the access log (the audit of reads), or null while the schema has none. */
  const accessLogRows = async (): Promise<number | null> => {
    const [found] = (await dataSource.query("SELECT to_regclass('access_log') IS NOT NULL AS present")) as {
      present: boolean;
    }[];
    if (!found?.present) return null;
    return Number(
      ((await dataSource.query('SELECT count(*) AS n FROM access_log')) as { n: string }[])[0]?.n,
    );
  };

  // The service, with a token its local JWKS verifies
  const { key } = await generateSigningKey();
  const token = await mintHandlerToken(
    { key, jwks: jwksOf(key), issuer: ISSUER, audience: AUDIENCE },
    {
      subject: 'bench-handler',
      name: 'Bench Handler',
      mandates: [{ municipality: largest.code, issues: ['INTEGRATION_CLIENT_DATA'] }],
      expiresIn: '4h',
    },
  );
  const serviceEnv = {
    BENCH_DB_URL: url,
    BENCH_JWKS: JSON.stringify(jwksOf(key)),
    BENCH_ISSUER: ISSUER,
    BENCH_AUDIENCE: AUDIENCE,
    BENCH_POOL_SIZE: String(OPTIONS.pool),
  };
  const service = await startChild('service', 'api-serve.ts', serviceEnv);
  const graphqlUrl = `${service.url}/graphql`;
  log(`service pid ${service.pid} on port ${service.port}`);

  const variants = {
    unfiltered: { filter: { status: 'NEW', municipalityCode: largest.code }, first: FIRST },
    filtered: {
      filter: { status: 'NEW', municipalityCode: largest.code, postalCode: area.code },
      first: FIRST,
    },
  } satisfies Record<string, ListVariables>;
  const expected = {
    unfiltered: { totalCount: largest.notifications, edges: Math.min(FIRST, largest.notifications) },
    filtered: { totalCount: area.notifications, edges: Math.min(FIRST, area.notifications) },
  };

  // What the service runs for each variant: recorded once, replayed by the floor
  const plans = {} as FloorPlans;
  for (const variant of ['unfiltered', 'filtered'] as const) {
    await getJson(`${service.url}/__bench/record`, { method: 'POST' });
    const capturedAt = Date.now();
    const response = await postList(graphqlUrl, token, variants[variant]);
    const { statements } = await getJson<{ statements: CapturedStatement[] }>(
      `${service.url}/__bench/recorded`,
    );
    const body = JSON.parse(response.text) as ListResult;
    if (response.status !== 200 || body.errors || !body.data) {
      throw new Error(`service, ${variant}: ${response.status} ${response.text.slice(0, 500)}`);
    }
    const list = body.data.notifications;
    if (list.totalCount !== expected[variant].totalCount || list.edges.length !== expected[variant].edges) {
      throw new Error(`service, ${variant}: totalCount ${list.totalCount}, ${list.edges.length} edges`);
    }
    // An access-log batch flushed meanwhile is the background's, not this request's.
    const own = statements.filter((statement) => !ACCESS_LOG_INSERT.test(statement.sql));
    plans[variant] = planFrom(own, capturedAt, FIRST);
  }

  const floor = await startChild('floor', 'floor-serve.ts', {
    BENCH_DB_URL: url,
    BENCH_POOL_SIZE: String(OPTIONS.pool),
    BENCH_FLOOR_PLANS: JSON.stringify(plans),
  });
  const floorUrl = `${floor.url}/graphql`;
  log(`floor pid ${floor.pid} on port ${floor.port}`);
  const sameJson: Record<string, { identicalBytes: boolean; equal: boolean }> = {};
  for (const variant of ['unfiltered', 'filtered'] as const) {
    const fromService = (await postList(graphqlUrl, token, variants[variant])).text;
    const fromFloor = await postList(floorUrl, null, variants[variant]);
    sameJson[variant] = {
      identicalBytes: fromFloor.text === fromService,
      equal: isDeepStrictEqual(JSON.parse(fromFloor.text), JSON.parse(fromService)),
    };
    if (!sameJson[variant].equal) {
      throw new Error(
        `the floor's ${variant} answer differs from the service's:\nservice ${fromService.slice(0, 400)}\n` +
          `floor   ${fromFloor.text.slice(0, 400)}`,
      );
    }
  }

  // SQL statements per list request, for two page sizes: in the request's path, and access-log batches meanwhile
  type Counts = { count: number; accessLog: number };
  const statementsPerRequest: Record<string, Record<string, number>> = {};
  const accessLogStatementsPerRequest: Record<string, Record<string, number>> = {};
  for (const variant of ['unfiltered', 'filtered'] as const) {
    statementsPerRequest[variant] = {};
    accessLogStatementsPerRequest[variant] = {};
    for (const first of [5, 50]) {
      const before = await getJson<Counts>(`${service.url}/__bench/statements`);
      for (let i = 0; i < STATEMENT_SAMPLES; i += 1) {
        const response = await postList(graphqlUrl, token, { ...variants[variant], first });
        if (response.status !== 200 || response.text.includes('"errors"')) {
          throw new Error(`statement count, ${variant} first=${first}: ${response.text.slice(0, 300)}`);
        }
      }
      const after = await getJson<Counts>(`${service.url}/__bench/statements`);
      const logged = after.accessLog - before.accessLog;
      (statementsPerRequest[variant] as Record<string, number>)[`first${first}`] =
        (after.count - before.count - logged) / STATEMENT_SAMPLES;
      (accessLogStatementsPerRequest[variant] as Record<string, number>)[`first${first}`] =
        logged / STATEMENT_SAMPLES;
    }
  }
  log(`statements per request: ${JSON.stringify(statementsPerRequest)}`);

  // Load: per variant, warm both up, then alternate service and floor slices
  const flushWait = () => new Promise((resolve) => setTimeout(resolve, 1500));
  await flushWait();
  const accessLogBefore = await accessLogRows();
  const loads: LoadResult[] = [];
  const sliceRatios: Record<string, number[]> = {};
  let serviceRequests = 0;
  const servers = {
    service: { child: service, url: graphqlUrl, bearer: token as string | null },
    floor: { child: floor, url: floorUrl, bearer: null as string | null },
  };
  for (const variant of ['unfiltered', 'filtered'] as const) {
    for (const server of ['service', 'floor'] as const) {
      const { child, url: target, bearer } = servers[server];
      if (OPTIONS.warmup > 0) {
        const warm = await measure(
          child,
          target,
          bearer,
          variants[variant],
          OPTIONS.warmup,
          expected[variant],
          null,
        );
        if (server === 'service') serviceRequests += warm.latencies.length;
      }
    }
    const parts: Record<'service' | 'floor', Measurement[]> = { service: [], floor: [] };
    for (let slice = 0; slice < OPTIONS.slices; slice += 1) {
      const amount =
        Math.floor(OPTIONS.requests / OPTIONS.slices) + (slice < OPTIONS.requests % OPTIONS.slices ? 1 : 0);
      const order = slice % 2 === 0 ? (['service', 'floor'] as const) : (['floor', 'service'] as const);
      for (const server of order) {
        const { child, url: target, bearer } = servers[server];
        const part = await measure(
          child,
          target,
          bearer,
          variants[variant],
          amount,
          expected[variant],
          database.postmasterPid,
        );
        const ok = part.statusCodes['200'] ?? 0;
        if (
          part.errors + part.timeouts + part.mismatches > 0 ||
          ok !== amount ||
          part.latencies.length !== amount
        ) {
          throw new Error(
            `${server} ${variant}: ${amount} requests, ${ok} answered 200, ${part.errors} errors, ` +
              `${part.timeouts} timeouts, ${part.mismatches} bodies with errors or wrong data`,
          );
        }
        if (server === 'service') serviceRequests += amount;
        parts[server].push(part);
      }
    }
    const ours = aggregate('service', variant, parts.service);
    const theirs = aggregate('floor', variant, parts.floor);
    loads.push(ours, theirs);
    sliceRatios[variant] = ours.sliceRequestsPerSecond.map((rps, k) =>
      round1(rps / (theirs.sliceRequestsPerSecond[k] ?? Number.NaN), 3),
    );
    for (const result of [ours, theirs]) {
      log(
        `${result.target}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, ` +
          `p99 ${result.latencyMs.p99} ms, server CPU ${result.serverCpuMsPerRequest} ms/req`,
      );
    }
  }
  await flushWait();
  const accessLogAfter = await accessLogRows();
  const accessLogWritten =
    accessLogBefore === null || accessLogAfter === null ? null : accessLogAfter - accessLogBefore;

  // Optional CPU profile of a second service process under the unfiltered load
  let profile: ProfileSummary | null = null;
  let profiledLoad: LoadResult | null = null;
  if (OPTIONS.profile) {
    await service.stop();
    await floor.stop();
    fs.mkdirSync(path.dirname(PROFILE_FILE), { recursive: true });
    fs.rmSync(PROFILE_FILE, { force: true });
    const profiled = await startChild('profiled service', 'api-serve.ts', {
      ...serviceEnv,
      BENCH_PROFILE_FILE: PROFILE_FILE,
    });
    const profiledUrl = `${profiled.url}/graphql`;
    await measure(
      profiled,
      profiledUrl,
      token,
      variants.unfiltered,
      OPTIONS.warmup,
      expected.unfiltered,
      null,
    );
    await getJson(`${profiled.url}/__bench/profile/start`, { method: 'POST' });
    const part = await measure(
      profiled,
      profiledUrl,
      token,
      variants.unfiltered,
      OPTIONS.profileRequests,
      expected.unfiltered,
      null,
    );
    await getJson(`${profiled.url}/__bench/profile/stop`, { method: 'POST' });
    await profiled.stop();
    profiledLoad = aggregate('service', 'unfiltered', [part]);
    // Only the measured requests: start-up, compilation of the operation and warm-up are not in it.
    profile = summarizeProfile(PROFILE_FILE, OPTIONS.profileRequests, 30);
  }

  // Verdicts: ratios within this run
  const find = (server: string, variant: string) =>
    loads.find((l) => l.server === server && l.variant === variant) as LoadResult;
  const ratios = (['unfiltered', 'filtered'] as const).map((variant) => {
    const ours = find('service', variant);
    const theirs = find('floor', variant);
    const ratio = ours.requestsPerSecond / theirs.requestsPerSecond;
    const slices = sliceRatios[variant] ?? [];
    return {
      variant,
      serviceRequestsPerSecond: ours.requestsPerSecond,
      floorRequestsPerSecond: theirs.requestsPerSecond,
      ratio: round1(ratio, 3),
      sliceRatios: slices,
      sliceRatioRange: [Math.min(...slices), Math.max(...slices)],
      serverCpuRatio: round1(ours.serverCpuMsPerRequest / theirs.serverCpuMsPerRequest, 2),
      target: TARGETS.throughputRatio,
      met: ratio >= TARGETS.throughputRatio,
    };
  });
  const counts = Object.values(statementsPerRequest).flatMap((v) => Object.values(v));
  const constant = Object.values(statementsPerRequest).every((v) => v.first5 === v.first50);
  const verdict = {
    throughput: ratios,
    statements: {
      perRequest: statementsPerRequest,
      accessLogBatchesPerRequest: accessLogStatementsPerRequest,
      constantInPageSize: constant,
      max: Math.max(...counts),
      target: TARGETS.statementsPerRequest,
      met: constant && Math.max(...counts) <= TARGETS.statementsPerRequest,
    },
    weeklyRun: {
      persons: fill.persons,
      created: firstRun.created,
      ms: Math.round(weeklyRunMs),
      targetMs: TARGETS.weeklyRunMs,
      met: weeklyRunMs <= TARGETS.weeklyRunMs,
      rerunMs: Math.round(rerunMs),
      rerunCreated: rerun.created,
    },
    accessLog: {
      serviceRequests,
      entriesWritten: accessLogWritten,
    },
  };

  // Report
  const n = (value: number) => value.toLocaleString('en-US');
  const rows = [
    [
      'target',
      'requests',
      'req/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'CPU ms/req',
      'PG CPU ms/req',
      'bytes/resp',
    ],
    ...loads.map((l) => [
      l.target,
      n(l.requests),
      l.requestsPerSecond.toFixed(1),
      l.latencyMs.p50.toFixed(1),
      l.latencyMs.p95.toFixed(1),
      l.latencyMs.p99.toFixed(1),
      l.serverCpuMsPerRequest.toFixed(2),
      l.postgresCpuMsPerRequest === null ? '-' : l.postgresCpuMsPerRequest.toFixed(2),
      n(l.bytesPerResponse),
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  '),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const yes = (met: boolean) => (met ? 'met' : 'NOT met');
  const report = [
    '',
    `API list benchmark: ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL ${serverVersion} ` +
      `(${database.description}); load average ${loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')} at start, ` +
      `${os
        .loadavg()
        .map((v) => v.toFixed(1))
        .join(' ')} at the end.`,
    `Data: ${n(fill.persons)} fictive persons as of ${AS_OF} (written in ${(fill.totalMs / 1000).toFixed(1)} s); ` +
      `the weekly run created ${n(firstRun.created)} New notifications.`,
    `List: New of ${largest.code} ${largest.name} (${n(largest.notifications)} notifications), unfiltered and postal ` +
      `code ${area.code} (${n(area.notifications)}); first ${FIRST} with the person; ${OPTIONS.connections} ` +
      `connections; per target ${n(OPTIONS.warmup)} warm-up + ${n(OPTIONS.requests)} measured requests in ` +
      `${OPTIONS.slices} slices alternating with the other server's; pool ${OPTIONS.pool}.`,
    'Service: createHttpServer (jose token check, shield, graphql-jit, TypeORM, access log), NODE_ENV=production, ' +
      'LOG_LEVEL=warn. Floor: node:http + pg running the same SQL statements, returning the same JSON ' +
      `(byte-identical: unfiltered ${sameJson.unfiltered?.identicalBytes ? 'yes' : 'no'}, filtered ` +
      `${sameJson.filtered?.identicalBytes ? 'yes' : 'no'}), no token check, no access log.`,
    ...(Object.keys(stderrLines).length > 0
      ? [
          `Log lines (warnings, errors) the servers wrote: ${Object.entries(stderrLines)
            .map(([name, count]) => `${name} ${count}`)
            .join(', ')} (the first ones are above).`,
        ]
      : []),
    accessLogWritten === null
      ? 'Access log: no access_log table in this schema.'
      : `Access log: ${n(accessLogWritten)} entries written for ${n(serviceRequests)} list requests to the service.`,
    '',
    ...lines,
    '',
    ...ratios.map(
      (r) =>
        `Throughput ${r.variant}: ${r.serviceRequestsPerSecond.toFixed(1)} / ${r.floorRequestsPerSecond.toFixed(1)} ` +
        `req/s = ${r.ratio.toFixed(3)}× the floor (slices ${r.sliceRatioRange.map((v) => v.toFixed(2)).join('–')}; ` +
        `target ≥ ${r.target}×): ${yes(r.met)}. Server CPU per request ${r.serverCpuRatio}× the floor's.`,
    ),
    `SQL statements per list request: ${Object.entries(statementsPerRequest)
      .map(([variant, v]) => `${variant} first=5: ${v.first5}, first=50: ${v.first50}`)
      .join('; ')} (constant and ≤ ${TARGETS.statementsPerRequest}): ${yes(verdict.statements.met)}; ` +
      `plus access-log batches in the background: ${Object.entries(accessLogStatementsPerRequest)
        .map(([variant, v]) => `${variant} ${v.first5} / ${v.first50}`)
        .join(', ')} per request.`,
    `Weekly run over ${n(fill.persons)} persons: ${(weeklyRunMs / 1000).toFixed(2)} s for ${n(firstRun.created)} ` +
      `notifications (target ≤ ${TARGETS.weeklyRunMs / 1000} s): ${yes(verdict.weeklyRun.met)}; next week's rerun ` +
      `${(rerunMs / 1000).toFixed(2)} s (${rerun.created} new); VACUUM ANALYZE ${(vacuumMs / 1000).toFixed(1)} s.`,
    ...(profile && profiledLoad
      ? [
          '',
          `Profiled service (unfiltered, another process, under the profiler): ${profiledLoad.requestsPerSecond} req/s, ` +
            `CPU ${profiledLoad.serverCpuMsPerRequest} ms/req from /proc. The profiler samples the main thread's ` +
            'wall-clock time: a system call such as writev counts in full even while the process waits for a CPU.',
          formatSummary(profile),
        ]
      : []),
    '',
  ].join('\n');
  process.stdout.write(report);

  fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  fs.writeFileSync(
    RESULT_FILE,
    `${JSON.stringify(
      {
        benchmark: 'api',
        startedAt: startedAt.toISOString(),
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        cpus: os.cpus().length,
        loadAverage: { atStart: loadAverageAtStart, atEnd: os.loadavg() },
        postgres: { version: serverVersion, server: database.description },
        options: { ...OPTIONS, asOf: AS_OF, seed: SEED, first: FIRST },
        data: {
          fictiveData: fill,
          weeklyRun: { created: firstRun.created, ms: round1(weeklyRunMs, 1) },
          weeklyRerun: { created: rerun.created, ms: round1(rerunMs, 1) },
          vacuumAnalyzeMs: round1(vacuumMs, 1),
          municipality: largest,
          postalCode: area,
        },
        floor: { sameJson, plans },
        statementsPerRequest,
        accessLogStatementsPerRequest,
        accessLog: verdict.accessLog,
        serverLogLines: stderrLines,
        loads,
        verdict,
        targets: TARGETS,
        profile: profile ? { load: profiledLoad, summary: profile } : null,
      },
      null,
      2,
    )}\n`,
  );
  log(`results written to ${path.relative(PROJECT_ROOT, RESULT_FILE)}`);
}

runBenchmark(main, { log, cleanUp, timeoutMs: OPTIONS.timeoutMs });
