import 'reflect-metadata';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { mintHandlerToken } from '../src/auth/authentication';
import { generateSigningKey, jwksOf } from '../src/auth/signing-key';
import {
  loadReferenceInputs,
  writeFictiveData,
  writeFictiveSocialCareNotices,
} from '../src/dev/fictive-data';
import { PROJECT_ROOT } from '../src/paths';
import {
  DEFAULT_ELIGIBILITY,
  ImmigrantNotificationRunService,
} from '../src/services/immigrant-notification-run.service';
import { MunicipalityService } from '../src/services/municipality.service';
import { SocialCareNoticeRunService } from '../src/services/social-care-notice-run.service';
import { formatSummary, type ProfileSummary, summarizeProfile } from './api-profile-summary';
import {
  type AnswerRows,
  answerRows,
  BENCH_CASES,
  type BenchCase,
  type CaseInput,
  PEER_SQL,
  requestBody,
  type TargetName,
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
 * Benchmark of the weekly run and of the API against PostGraphile 4 and 5 and a floor (`npm run bench:api`).
 *
 * 1. PostgreSQL: an embedded one in a temp folder on a free port, or a new database on BENCH_DATABASE_URL (an
 *    admin URL; the database is dropped afterwards). Migrations, reference data, then writeFictiveData (what
 *    `npm run generate` writes) with --persons fictive persons (default 1,000,000), seed 1, as of --as-of.
 * 2. The weekly run (ImmigrantNotificationRunService.run) over them, timed; a rerun (nothing new) too; the daily
 *    social-care run (SocialCareNoticeRunService.run) and its rerun, timed; notices of the delivered kinds through
 *    the import (SOCIAL_CARE_NOTICES_PER_KIND of each, some not visible before tomorrow); VACUUM ANALYZE.
 * 3. The municipality with the most New notifications, its postal code with the most, its newest notification.
 * 4. The targets, each in a child process on the same database with a pool of --pool connections:
 *    - service (bench/api-serve.ts): createHttpServer as production runs it: a real token checked by jose over a
 *      local JWKS, shield, graphql-jit, TypeORM, the access log, the rate limiter on (RATE_LIMIT_PER_MINUTE=100000000:
 *      it counts but never refuses), NODE_ENV=production, request logging at its default level (info) to stdout,
 *      which this process drains through a pipe as a log collector would;
 *    - postgraphile4, postgraphile5 (bench/peers/*): PostGraphile 4.14.1 and 5.1.5 (Amber preset) over schema
 *      public, default mutations off, production settings; each in its own package, installed here on first use
 *      (`npm ci --prefix bench/peers/<name>`); PostGraphile 5 with a Promise.withResolvers polyfill on Node 20;
 *    - floor (bench/floor-serve.ts): node:http + pg, one prepared statement per request, the service's JSON byte
 *      for byte (checked), no token, no access log.
 * 5. Three cases: `list` the --first (50) newest New notifications of the municipality with every field of their
 *    persons, total count and page info; `byId` notification(id) with its person; `filtered` the list of one
 *    postal code. The peers get the closest their generic schemas allow (bench/api-query.ts); every target's rows
 *    (total, ids in order) are checked equal to the service's before the load.
 * 6. SQL statements per request of the service: the lists with first=5 and first=50, and byId.
 * 7. Load with autocannon from this process: POST /graphql, --connections (10) at a time, per case: each target
 *    warmed up (--warmup-seconds), then --rounds (5) rounds of --seconds (10) per target, the targets' order rotating
 *    from round to round so that all meet the same background load of this shared machine. Per target the medians
 *    over rounds: req/s, latency p50/p99, CPU ms per request of its server process and of PostgreSQL (all processes
 *    of the embedded server, from /proc: only one target is loaded at a time; read 300 ms after the slice's end so
 *    that the access log's last batch counts to the service). Every body checked for data without errors, some
 *    parsed and their rows compared.
 * 8. --profile: another service process, warmed up, then V8's CPU profiler over --seconds of the list load; the
 *    profile is summarised (bench/api-profile-summary.ts).
 *
 * Prints a table per case, the ratios of the service to each other target and the issue's targets met or not;
 * writes bench-results/api.json (and api-service.cpuprofile with --profile). Bounded by --timeout-minutes; everything
 * started is stopped and removed at the end, on error, timeout or Ctrl-C.
 */

const TARGET_NAMES: readonly TargetName[] = ['service', 'postgraphile4', 'postgraphile5', 'floor'];

const USAGE = `Usage: npm run bench:api -- [--persons N] [--as-of YYYY-MM-DD] [--seconds N] [--rounds N]
                         [--warmup-seconds N] [--connections N] [--pool N] [--first N]
                         [--cases ${BENCH_CASES.join(',')}] [--targets ${TARGET_NAMES.join(',')}]
                         [--profile] [--timeout-minutes N]`;

function options() {
  const { values } = parseArgs({
    options: {
      persons: { type: 'string', default: '1000000' },
      'as-of': { type: 'string', default: '2026-11-30' },
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '5' },
      'warmup-seconds': { type: 'string', default: '3' },
      connections: { type: 'string', default: '10' },
      pool: { type: 'string', default: '10' },
      first: { type: 'string', default: '50' },
      cases: { type: 'string', default: BENCH_CASES.join(',') },
      targets: { type: 'string', default: TARGET_NAMES.join(',') },
      profile: { type: 'boolean', default: false },
      'timeout-minutes': { type: 'string', default: '45' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const fail = (message: string): never => {
    console.error(`${message}\n${USAGE}`);
    process.exit(2);
  };
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const integer = (name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max)
      fail(`--${name} must be a whole number ${min}…${max}`);
    return value;
  };
  const list = <T extends string>(name: 'cases' | 'targets', allowed: readonly T[]): T[] => {
    const chosen = String(values[name])
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const unknown = chosen.filter((v) => !allowed.includes(v as T));
    if (chosen.length === 0 || unknown.length > 0) fail(`--${name}: one or more of ${allowed.join(', ')}`);
    return allowed.filter((v) => chosen.includes(v));
  };
  const asOf = String(values['as-of']);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) fail('--as-of must be a date');
  const targets = list('targets', TARGET_NAMES);
  if (!targets.includes('service')) fail('--targets must include service');
  return {
    persons: integer('persons', 1000),
    asOf,
    seconds: integer('seconds', 1),
    rounds: integer('rounds', 1),
    warmupSeconds: integer('warmup-seconds', 0),
    connections: integer('connections', 1),
    pool: integer('pool', 1),
    first: integer('first', 1, 200),
    cases: list('cases', BENCH_CASES),
    targets,
    profile: values.profile === true,
    timeoutMs: integer('timeout-minutes', 1) * 60_000,
  };
}
const OPTIONS = options();

const SEED = 1;
const ISSUER = 'https://identity-gateway.bench';
const AUDIENCE = 'kelmu-graphql';
const RESULT_FILE = path.join(PROJECT_ROOT, 'bench-results', 'api.json');
const PROFILE_FILE = path.join(PROJECT_ROOT, 'bench-results', 'api-service.cpuprofile');
const PEERS_DIR = path.join(__dirname, 'peers');
const STATEMENT_SAMPLES = 20;
/** Longer than the access log's flush interval (200 ms): its last batch of a slice lands in that slice's figures. */
const SETTLE_MS = 300;
/** Above any load this machine can make: the limiter counts every request but refuses none. */
const RATE_LIMIT_PER_MINUTE = '100000000';
/** Issue 11's targets. A benchmark's, never a timed test's. */
const TARGETS = {
  list: { vsFloor: 0.5, vsPostgraphile4: 1.5, vsPostgraphile5: 1.3, serviceCpuMs: 1.5, postgresCpuMs: 0.7 },
  others: { vsPostgraphile5: 1 },
  statementsPerRequest: 3,
  weeklyRunMs: 10_000,
  dailyRunMs: 10_000,
};
/** Notices of each kind Kela delivers (the daily run makes the other three from the benefit facts). */
const SOCIAL_CARE_NOTICES_PER_KIND = 200;

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
// Child processes: the targets

/** Lines each child wrote to stderr (its warnings and errors) and bytes to stdout (its log). */
const stderrLines: Record<string, number> = {};
const stdoutBytes: Record<string, number> = {};
const STDERR_LINES_SHOWN = 5;

interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * A target in a child process: `script` run by node (TypeScript through @swc-node/register), its environment this
 * process's without LOG_LEVEL (each server logs at its default level) plus NODE_ENV=production and `env`. The child
 * reports its port over IPC; its stdout (its log) is drained and counted, its stderr shown (the first lines).
 */
async function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<Child> {
  const { LOG_LEVEL: _unused, ...inherited } = process.env;
  const typescript = script.endsWith('.ts');
  const child = spawn(
    process.execPath,
    [...nodeFlags, ...(typescript ? ['-r', '@swc-node/register'] : []), script],
    {
      cwd: PROJECT_ROOT,
      env: { ...inherited, NODE_ENV: 'production', ...env },
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
  stdoutBytes[name] = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBytes[name] = (stdoutBytes[name] ?? 0) + chunk.length;
  });
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
      else if (count === STDERR_LINES_SHOWN + 1) log(`${name}: further lines on stderr are only counted`);
    }
  });
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      child.on('message', (message: { port?: number }) => {
        if (typeof message.port === 'number') resolve(message.port);
      });
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    }),
    180_000,
    `${name} start`,
  );
  return { name, process: child, pid, port, url: `http://127.0.0.1:${port}`, stop };
}

/** A peer's package (bench/peers/<name>), installed from its lock file when its node_modules is missing. */
function ensurePeerInstalled(name: 'postgraphile4' | 'postgraphile5'): void {
  const dir = path.join(PEERS_DIR, name);
  if (fs.existsSync(path.join(dir, 'node_modules'))) return;
  const relative = path.relative(PROJECT_ROOT, dir);
  log(`${name} is not installed: npm ci --prefix ${relative} (once; its node_modules is git-ignored)`);
  execFileSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status}`);
  return (await response.json()) as T;
}

interface Target {
  name: TargetName;
  child: Child;
  graphqlUrl: string;
  bearer: string | null;
}

async function post(target: Target, body: string) {
  const response = await fetch(target.graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(target.bearer ? { authorization: `Bearer ${target.bearer}` } : {}),
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** One slice of load on one target: the raw figures. */
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
  logBytes: number;
}

/** What every answer of a target to a case must be: its beginning (no errors) and, when parsed, its rows. */
interface Expectation {
  prefix: string;
  rows: AnswerRows;
}

/** --seconds of load at --connections; every body checked cheaply, one in 250 parsed and its rows compared. */
async function measure(
  target: Target,
  body: string,
  seconds: number,
  expected: Expectation,
  postmasterPid: number | null,
): Promise<Measurement> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let checked = 0;
  let parsed = 0;
  let bytes = 0;
  const problems: string[] = [];
  const verifyBody = (raw: string | Buffer | undefined) => {
    const text = typeof raw === 'string' ? raw : (raw?.toString('utf8') ?? '');
    checked += 1;
    bytes += Buffer.byteLength(text);
    let ok = text.startsWith(expected.prefix) && !text.includes('"errors"');
    if (ok && checked % 250 === 1) {
      parsed += 1;
      const rows = answerRows(target.name, text);
      ok = rows !== null && isDeepStrictEqual(rows, expected.rows);
    }
    if (!ok && problems.length < 3) problems.push(`body ${checked}: ${text.slice(0, 300)}`);
    return ok;
  };
  const logBefore = stdoutBytes[target.name] ?? 0;
  const cpuBefore = cpuMs(target.child.pid);
  const pgBefore = postgresCpu(postmasterPid);
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  // Autocannon notices that the last request is done only at its next sampling tick: time up to the last response.
  let lastResponseAt = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.graphqlUrl,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(target.bearer ? { authorization: `Bearer ${target.bearer}` } : {}),
        },
        body,
        connections: OPTIONS.connections,
        duration: seconds,
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
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  if (problems.length > 0) log(`${target.name}: ${problems.join('\n')}`);
  return {
    latencies,
    durationMs,
    serverCpuMs: cpuMs(target.child.pid) - cpuBefore,
    postgresCpuMs: postgresCpuMsBetween(pgBefore, postgresCpu(postmasterPid)),
    loadGeneratorCpuMs: (generator.user + generator.system) / 1000,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    bodiesChecked: checked,
    sampledBodiesParsed: parsed,
    bytes,
    logBytes: (stdoutBytes[target.name] ?? 0) - logBefore,
  };
}

/** One round's figures of one target. */
interface RoundResult {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number | null;
}

/** A target's figures for a case: medians over the rounds, and the rounds themselves. */
interface LoadResult {
  target: TargetName;
  case: BenchCase;
  rounds: RoundResult[];
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number | null;
  loadGeneratorCpuMsPerRequest: number;
  bytesPerResponse: number;
  logBytesPerRequest: number;
  statusCodes: Record<string, number>;
  bodiesChecked: number;
  sampledBodiesParsed: number;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round1 = (value: number, digits = 2) => Number(value.toFixed(digits));

function roundOf(part: Measurement): RoundResult {
  const sorted = [...part.latencies].sort((a, b) => a - b);
  const n = Math.max(1, sorted.length);
  return {
    requests: sorted.length,
    requestsPerSecond: round1((sorted.length * 1000) / part.durationMs, 1),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    serverCpuMsPerRequest: round1(part.serverCpuMs / n, 3),
    postgresCpuMsPerRequest: part.postgresCpuMs === null ? null : round1(part.postgresCpuMs / n, 3),
  };
}

function aggregate(target: TargetName, benchCase: BenchCase, parts: readonly Measurement[]): LoadResult {
  const rounds = parts.map(roundOf);
  const done = parts.reduce((total, p) => total + p.latencies.length, 0);
  const per = (pick: (p: Measurement) => number) =>
    parts.reduce((total, p) => total + pick(p), 0) / Math.max(1, done);
  const statusCodes: Record<string, number> = {};
  for (const part of parts) {
    for (const [code, count] of Object.entries(part.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  const postgres = rounds.map((r) => r.postgresCpuMsPerRequest);
  return {
    target,
    case: benchCase,
    rounds,
    requests: done,
    requestsPerSecond: round1(median(rounds.map((r) => r.requestsPerSecond)), 1),
    latencyMs: {
      p50: round1(median(rounds.map((r) => r.p50))),
      p99: round1(median(rounds.map((r) => r.p99))),
      max: parts.reduce((most, p) => p.latencies.reduce((m, v) => Math.max(m, v), most), 0),
    },
    serverCpuMsPerRequest: round1(median(rounds.map((r) => r.serverCpuMsPerRequest)), 3),
    postgresCpuMsPerRequest: postgres.some((v) => v === null)
      ? null
      : round1(median(postgres as number[]), 3),
    loadGeneratorCpuMsPerRequest: round1(
      per((p) => p.loadGeneratorCpuMs),
      3,
    ),
    bytesPerResponse: Math.round(per((p) => p.bytes)),
    logBytesPerRequest: Math.round(per((p) => p.logBytes)),
    statusCodes,
    bodiesChecked: parts.reduce((total, p) => total + p.bodiesChecked, 0),
    sampledBodiesParsed: parts.reduce((total, p) => total + p.sampledBodiesParsed, 0),
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
    asOf: OPTIONS.asOf,
    truncate: true,
    rule: DEFAULT_ELIGIBILITY,
  });
  log(
    `writeFictiveData: ${fill.persons} persons in ${Math.round(fill.totalMs)} ms (+ ANALYZE ${Math.round(fill.analyzeMs)} ms); ${fill.eligible} eligible`,
  );
  const run = new ImmigrantNotificationRunService(dataSource, DEFAULT_ELIGIBILITY);
  const tRun = performance.now();
  const firstRun = await run.run(OPTIONS.asOf, new Date());
  const weeklyRunMs = performance.now() - tRun;
  log(`weekly run: ${firstRun.created} notifications in ${Math.round(weeklyRunMs)} ms`);
  if (firstRun.created !== fill.eligible) {
    log(
      `warning: the weekly run created ${firstRun.created}, writeFictiveData counted ${fill.eligible} eligible`,
    );
  }
  const tRerun = performance.now();
  const rerun = await run.run(OPTIONS.asOf, new Date());
  const rerunMs = performance.now() - tRerun;
  log(`weekly rerun: ${rerun.created} notifications in ${Math.round(rerunMs)} ms`);
  const dailyRun = new SocialCareNoticeRunService(dataSource, DEFAULT_ELIGIBILITY);
  const tDaily = performance.now();
  const firstDaily = await dailyRun.run(OPTIONS.asOf, new Date());
  const dailyRunMs = performance.now() - tDaily;
  log(
    `daily social-care run: ${firstDaily.created} notices (${JSON.stringify(firstDaily.createdByKind)}) in ${Math.round(dailyRunMs)} ms`,
  );
  const tDailyRerun = performance.now();
  const dailyRerun = await dailyRun.run(OPTIONS.asOf, new Date());
  const dailyRerunMs = performance.now() - tDailyRerun;
  log(`daily social-care rerun: ${dailyRerun.created} notices in ${Math.round(dailyRerunMs)} ms`);
  const municipalities = new MunicipalityService(dataSource);
  await municipalities.refresh();
  const tDelivered = performance.now();
  const delivered = await writeFictiveSocialCareNotices(dataSource, municipalities, {
    asOf: OPTIONS.asOf,
    perKind: SOCIAL_CARE_NOTICES_PER_KIND,
    now: new Date(),
  });
  log(
    `social-care notices of the delivered kinds: ${delivered.imported} imported in ${Math.round(performance.now() - tDelivered)} ms` +
      (delivered.invalid.length > 0 ? `; ${delivered.invalid.length} invalid` : ''),
  );
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
  const [newest] = (await dataSource.query(
    `SELECT id FROM notification WHERE status = 'NEW' AND municipality_code = $1
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [largest.code],
  )) as { id: string }[];
  log(
    `largest: ${largest.code} ${largest.name} with ${largest.notifications} New; postal code ${area.code} with ${area.notifications}`,
  );
  const inputs: Record<BenchCase, CaseInput> = {
    list: { kind: 'list', municipalityCode: largest.code, first: OPTIONS.first },
    byId: { kind: 'byId', id: newest?.id as string },
    filtered: { kind: 'list', municipalityCode: largest.code, postalCode: area.code, first: OPTIONS.first },
  };
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

  // The targets. The service with a token its local JWKS verifies.
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
    RATE_LIMIT_PER_MINUTE,
  };
  const peerEnv = { BENCH_DB_URL: url, BENCH_POOL_SIZE: String(OPTIONS.pool), GRAPHILE_ENV: 'production' };
  const targets: Target[] = [];
  for (const name of OPTIONS.targets) {
    let child: Child;
    if (name === 'service') {
      child = await startChild(name, path.join(__dirname, 'api-serve.ts'), serviceEnv);
    } else if (name === 'floor') {
      child = await startChild(name, path.join(__dirname, 'floor-serve.ts'), {
        ...peerEnv,
        BENCH_MUNICIPALITY: largest.code,
      });
    } else {
      ensurePeerInstalled(name);
      if (targets.every((t) => t.name !== 'postgraphile4' && t.name !== 'postgraphile5')) {
        for (const statement of PEER_SQL) await dataSource.query(statement);
      }
      child = await startChild(
        name,
        path.join(PEERS_DIR, name, 'serve.js'),
        peerEnv,
        name === 'postgraphile5' ? ['-r', path.join(PEERS_DIR, 'with-resolvers.js')] : [],
      );
    }
    log(`${name} pid ${child.pid} on port ${child.port}`);
    targets.push({
      name,
      child,
      graphqlUrl: `${child.url}/graphql`,
      bearer: name === 'service' ? token : null,
    });
  }
  const service = targets[0] as Target;

  // Every target's answer to every case: the same rows as the service's; the floor's the same bytes.
  const expectations: Record<string, Expectation> = {};
  const sameBytes: Record<string, boolean> = {};
  const samples: Record<string, string> = {};
  for (const benchCase of OPTIONS.cases) {
    let reference: AnswerRows | null = null;
    let serviceText = '';
    for (const target of targets) {
      const response = await post(target, requestBody(target.name, inputs[benchCase]));
      const rows = answerRows(target.name, response.text);
      if (response.status !== 200 || rows === null || rows.ids.length === 0) {
        throw new Error(`${target.name} ${benchCase}: ${response.status} ${response.text.slice(0, 800)}`);
      }
      if (target.name === 'service') {
        reference = rows;
        serviceText = response.text;
      } else if (!isDeepStrictEqual(rows, reference)) {
        throw new Error(
          `${target.name} ${benchCase}: other rows than the service's\nservice ${JSON.stringify(reference)}\n` +
            `${target.name} ${JSON.stringify(rows)}`,
        );
      }
      if (target.name === 'floor') {
        sameBytes[benchCase] = response.text === serviceText;
        if (!sameBytes[benchCase]) {
          throw new Error(
            `the floor's ${benchCase} answer differs from the service's:\nservice ${serviceText.slice(0, 600)}\n` +
              `floor   ${response.text.slice(0, 600)}`,
          );
        }
      }
      expectations[`${target.name} ${benchCase}`] = { prefix: response.text.slice(0, 100), rows };
      samples[`${target.name} ${benchCase}`] = requestBody(target.name, inputs[benchCase]);
    }
    log(`${benchCase}: every target answers the same ${reference?.ids.length} rows`);
  }

  // SQL statements per request of the service: in the request's path, and access-log batches meanwhile
  type Counts = { count: number; accessLog: number };
  const statementsPerRequest: Record<string, number> = {};
  const accessLogStatementsPerRequest: Record<string, number> = {};
  const statementCases: [string, CaseInput][] = [
    ['list first=5', { ...(inputs.list as CaseInput & { kind: 'list' }), first: 5 }],
    ['list first=50', { ...(inputs.list as CaseInput & { kind: 'list' }), first: 50 }],
    ['filtered first=5', { ...(inputs.filtered as CaseInput & { kind: 'list' }), first: 5 }],
    ['filtered first=50', { ...(inputs.filtered as CaseInput & { kind: 'list' }), first: 50 }],
    ['byId', inputs.byId],
  ];
  for (const [label, input] of statementCases) {
    const before = await getJson<Counts>(`${service.child.url}/__bench/statements`);
    for (let i = 0; i < STATEMENT_SAMPLES; i += 1) {
      const response = await post(service, requestBody('service', input));
      if (response.status !== 200 || response.text.includes('"errors"')) {
        throw new Error(`statement count, ${label}: ${response.text.slice(0, 300)}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const after = await getJson<Counts>(`${service.child.url}/__bench/statements`);
    statementsPerRequest[label] = (after.count - before.count) / STATEMENT_SAMPLES;
    accessLogStatementsPerRequest[label] = (after.accessLog - before.accessLog) / STATEMENT_SAMPLES;
  }
  log(`statements per request: ${JSON.stringify(statementsPerRequest)}`);

  // Load: per case, warm every target up, then rounds in which the targets take turns, their order rotating
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const accessLogBefore = await accessLogRows();
  const serviceStatementsBefore = (await getJson<Counts>(`${service.child.url}/__bench/statements`)).count;
  let serviceRequests = 0;
  const loads: LoadResult[] = [];
  for (const benchCase of OPTIONS.cases) {
    const parts = new Map<TargetName, Measurement[]>(targets.map((t) => [t.name, []]));
    const run = async (target: Target, seconds: number, pid: number | null) => {
      const key = `${target.name} ${benchCase}`;
      const part = await measure(
        target,
        samples[key] as string,
        seconds,
        expectations[key] as Expectation,
        pid,
      );
      const ok = part.statusCodes['200'] ?? 0;
      if (part.errors + part.timeouts + part.mismatches > 0 || ok !== part.latencies.length || ok === 0) {
        throw new Error(
          `${key}: ${part.latencies.length} responses, ${ok} answered 200, ${part.errors} errors, ` +
            `${part.timeouts} timeouts, ${part.mismatches} bodies with errors or other rows`,
        );
      }
      if (target.name === 'service') serviceRequests += part.latencies.length;
      return part;
    };
    if (OPTIONS.warmupSeconds > 0) {
      for (const target of targets) await run(target, OPTIONS.warmupSeconds, null);
    }
    for (let round = 0; round < OPTIONS.rounds; round += 1) {
      const order = targets.map((_, k) => targets[(k + round) % targets.length] as Target);
      for (const target of order) {
        parts.get(target.name)?.push(await run(target, OPTIONS.seconds, database.postmasterPid));
      }
      log(`${benchCase}: round ${round + 1} of ${OPTIONS.rounds} done`);
    }
    for (const target of targets) {
      const result = aggregate(target.name, benchCase, parts.get(target.name) ?? []);
      loads.push(result);
      log(
        `${benchCase} ${target.name}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, ` +
          `p99 ${result.latencyMs.p99} ms, server CPU ${result.serverCpuMsPerRequest} ms/req, PostgreSQL CPU ` +
          `${result.postgresCpuMsPerRequest ?? '-'} ms/req`,
      );
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const accessLogAfter = await accessLogRows();
  const accessLogWritten =
    accessLogBefore === null || accessLogAfter === null ? null : accessLogAfter - accessLogBefore;
  const serviceStatementsUnderLoad =
    (await getJson<Counts>(`${service.child.url}/__bench/statements`)).count - serviceStatementsBefore;

  // Optional CPU profile of a second service process under the list load
  let profile: ProfileSummary | null = null;
  let profiledLoad: LoadResult | null = null;
  if (OPTIONS.profile) {
    for (const target of targets) await target.child.stop();
    fs.mkdirSync(path.dirname(PROFILE_FILE), { recursive: true });
    fs.rmSync(PROFILE_FILE, { force: true });
    const child = await startChild('service', path.join(__dirname, 'api-serve.ts'), {
      ...serviceEnv,
      BENCH_PROFILE_FILE: PROFILE_FILE,
    });
    const profiled: Target = { ...service, child, graphqlUrl: `${child.url}/graphql` };
    const key = 'service list';
    const expectation = expectations[key] as Expectation;
    await measure(profiled, samples[key] as string, Math.max(1, OPTIONS.warmupSeconds), expectation, null);
    await getJson(`${child.url}/__bench/profile/start`, { method: 'POST' });
    const part = await measure(profiled, samples[key] as string, OPTIONS.seconds, expectation, null);
    await getJson(`${child.url}/__bench/profile/stop`, { method: 'POST' });
    await child.stop();
    profiledLoad = aggregate('service', 'list', [part]);
    // Only the measured requests: start-up, compilation of the operation and warm-up are not in it.
    profile = summarizeProfile(PROFILE_FILE, part.latencies.length, 30);
  }

  // Ratios of the service to each other target, and the issue's targets
  const find = (target: TargetName, benchCase: BenchCase) =>
    loads.find((l) => l.target === target && l.case === benchCase);
  const ratios = OPTIONS.cases.flatMap((benchCase) => {
    const ours = find('service', benchCase) as LoadResult;
    return targets
      .filter((t) => t.name !== 'service')
      .map((t) => {
        const theirs = find(t.name, benchCase) as LoadResult;
        const perRound = ours.rounds.map((r, k) =>
          round1(r.requestsPerSecond / (theirs.rounds[k]?.requestsPerSecond ?? Number.NaN), 3),
        );
        return {
          case: benchCase,
          versus: t.name,
          throughput: round1(ours.requestsPerSecond / theirs.requestsPerSecond, 3),
          throughputPerRound: perRound,
          p99: round1(ours.latencyMs.p99 / theirs.latencyMs.p99, 3),
          serverCpu: round1(ours.serverCpuMsPerRequest / theirs.serverCpuMsPerRequest, 3),
          postgresCpu:
            ours.postgresCpuMsPerRequest === null || theirs.postgresCpuMsPerRequest === null
              ? null
              : round1(ours.postgresCpuMsPerRequest / theirs.postgresCpuMsPerRequest, 3),
        };
      });
  });
  const ratio = (benchCase: BenchCase, versus: TargetName) =>
    ratios.find((r) => r.case === benchCase && r.versus === versus);
  type Verdict = { what: string; value: number | null; target: string; met: boolean | null };
  const verdicts: Verdict[] = [];
  const check = (what: string, value: number | null | undefined, target: number, atLeast: boolean) => {
    const known = value !== null && value !== undefined && Number.isFinite(value);
    verdicts.push({
      what,
      value: known ? value : null,
      target: `${atLeast ? '≥' : '≤'} ${target}`,
      met: known ? (atLeast ? value >= target : value <= target) : null,
    });
  };
  if (OPTIONS.cases.includes('list')) {
    const ours = find('service', 'list') as LoadResult;
    check('list: req/s ÷ floor', ratio('list', 'floor')?.throughput, TARGETS.list.vsFloor, true);
    check(
      'list: req/s ÷ PostGraphile 4',
      ratio('list', 'postgraphile4')?.throughput,
      TARGETS.list.vsPostgraphile4,
      true,
    );
    check(
      'list: req/s ÷ PostGraphile 5',
      ratio('list', 'postgraphile5')?.throughput,
      TARGETS.list.vsPostgraphile5,
      true,
    );
    check('list: p99 ÷ PostGraphile 5 p99', ratio('list', 'postgraphile5')?.p99, 1, false);
    check('list: service CPU ms/req', ours.serverCpuMsPerRequest, TARGETS.list.serviceCpuMs, false);
    check('list: PostgreSQL CPU ms/req', ours.postgresCpuMsPerRequest, TARGETS.list.postgresCpuMs, false);
  }
  for (const benchCase of OPTIONS.cases.filter((c) => c !== 'list')) {
    check(
      `${benchCase}: req/s ÷ PostGraphile 5`,
      ratio(benchCase, 'postgraphile5')?.throughput,
      TARGETS.others.vsPostgraphile5,
      true,
    );
  }
  const counts = Object.values(statementsPerRequest);
  const constant =
    statementsPerRequest['list first=5'] === statementsPerRequest['list first=50'] &&
    statementsPerRequest['filtered first=5'] === statementsPerRequest['filtered first=50'];
  check(
    'statements per request (max; constant in page size)',
    constant ? Math.max(...counts) : Number.POSITIVE_INFINITY,
    TARGETS.statementsPerRequest,
    false,
  );
  check(`weekly run over ${fill.persons} persons, ms`, Math.round(weeklyRunMs), TARGETS.weeklyRunMs, false);
  check(
    `daily social-care run over ${fill.persons} persons, ms`,
    Math.round(dailyRunMs),
    TARGETS.dailyRunMs,
    false,
  );

  // Report
  const n = (value: number) => value.toLocaleString('en-US');
  const fixed = (value: number | null, digits: number) => (value === null ? '-' : value.toFixed(digits));
  const table = (rows: string[][]) => {
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
    return lines;
  };
  const caseTitle: Record<BenchCase, string> = {
    list: `list: the ${OPTIONS.first} newest New of ${largest.code} ${largest.name} (${n(largest.notifications)}) with persons`,
    byId: 'byId: notification(id) with its person',
    filtered: `filtered: the ${OPTIONS.first} newest New of ${largest.code} in postal code ${area.code} (${n(area.notifications)}) with persons`,
  };
  const caseTables = OPTIONS.cases.flatMap((benchCase) => [
    '',
    caseTitle[benchCase],
    ...table([
      [
        'target',
        'req/s',
        'rounds req/s',
        'p50 ms',
        'p99 ms',
        'CPU ms/req',
        'PG CPU ms/req',
        'bytes/resp',
        '× service req/s',
      ],
      ...loads
        .filter((l) => l.case === benchCase)
        .map((l) => {
          const r = ratio(benchCase, l.target);
          const perRound = l.rounds.map((x) => x.requestsPerSecond);
          return [
            l.target,
            l.requestsPerSecond.toFixed(1),
            `${Math.min(...perRound).toFixed(0)}–${Math.max(...perRound).toFixed(0)}`,
            l.latencyMs.p50.toFixed(1),
            l.latencyMs.p99.toFixed(1),
            l.serverCpuMsPerRequest.toFixed(2),
            fixed(l.postgresCpuMsPerRequest, 2),
            n(l.bytesPerResponse),
            r
              ? `${r.throughput.toFixed(2)} (${Math.min(...r.throughputPerRound).toFixed(2)}–${Math.max(...r.throughputPerRound).toFixed(2)})`
              : '',
          ];
        }),
    ]),
  ]);
  const serviceLoads = loads.filter((l) => l.target === 'service');
  const logPerRequest =
    serviceLoads.length > 0 ? Math.round(median(serviceLoads.map((l) => l.logBytesPerRequest))) : 0;
  const report = [
    '',
    `API benchmark: ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL ${serverVersion} ` +
      `(${database.description}); load average ${loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')} at start, ` +
      `${os
        .loadavg()
        .map((v) => v.toFixed(1))
        .join(
          ' ',
        )} at the end. A shared machine: absolute figures are noisy, the ratios within a round hold.`,
    `Data: ${n(fill.persons)} fictive persons, seed ${SEED}, as of ${OPTIONS.asOf} (written in ${(fill.totalMs / 1000).toFixed(1)} s); ` +
      `the weekly run created ${n(firstRun.created)} New notifications.`,
    `Load: ${OPTIONS.connections} connections; per case and target ${OPTIONS.warmupSeconds} s warm-up, then ` +
      `${OPTIONS.rounds} rounds of ${OPTIONS.seconds} s, the targets taking turns (order rotating); medians over the ` +
      `rounds. Pool ${OPTIONS.pool} connections per target.`,
    'service: createHttpServer with a real token (jose, local JWKS), shield, graphql-jit, TypeORM, the access log, ' +
      `the rate limiter (RATE_LIMIT_PER_MINUTE=${RATE_LIMIT_PER_MINUTE}), NODE_ENV=production, request logging at its ` +
      `default level (${n(logPerRequest)} log bytes per request, drained through a pipe).`,
    'postgraphile4 / postgraphile5: PostGraphile 4.14.1 / 5.1.5 (Amber) over schema public, default mutations off, ' +
      'production settings, no token, no access log; allNotifications(condition, orderBy [CREATED_AT_DESC, key DESC], ' +
      'first) with personByPersonId; notificationById / notificationByRowId; postal code through a filterable ' +
      'computed column notification_postal_code (created for them in the bench database).',
    `floor: node:http + pg, one prepared statement per request (page, persons and count in one JOIN), the service's ` +
      `bytes (identical: ${Object.entries(sameBytes)
        .map(([c, same]) => `${c} ${same ? 'yes' : 'no'}`)
        .join(', ')}), no token, no access log.`,
    ...(Object.keys(stderrLines).length > 0
      ? [
          `Lines on stderr: ${Object.entries(stderrLines)
            .map(([name, count]) => `${name} ${count}`)
            .join(', ')} (the first ones are above).`,
        ]
      : []),
    accessLogWritten === null
      ? 'Access log: no access_log table in this schema.'
      : `Access log: ${n(accessLogWritten)} entries written for ${n(serviceRequests)} answers the load generator counted ` +
        `from the service (plus up to ${OPTIONS.connections} requests in flight when each slice stops, which the ` +
        `service still answers and logs); ${n(serviceStatementsUnderLoad)} SQL statements in the requests' paths.`,
    ...caseTables,
    '',
    `SQL statements per service request: ${Object.entries(statementsPerRequest)
      .map(([label, v]) => `${label}: ${v}`)
      .join(', ')}; plus access-log batches in the background: ${Object.entries(accessLogStatementsPerRequest)
      .map(([label, v]) => `${label} ${v}`)
      .join(', ')} per request.`,
    `Weekly run over ${n(fill.persons)} persons: ${(weeklyRunMs / 1000).toFixed(2)} s for ${n(firstRun.created)} ` +
      `notifications; next week's rerun ${(rerunMs / 1000).toFixed(2)} s (${rerun.created} new); VACUUM ANALYZE ` +
      `${(vacuumMs / 1000).toFixed(1)} s.`,
    `Daily social-care run over ${n(fill.persons)} persons: ${(dailyRunMs / 1000).toFixed(2)} s for ` +
      `${n(firstDaily.created)} notices; a rerun ${(dailyRerunMs / 1000).toFixed(2)} s (${dailyRerun.created} new); ` +
      `${n(delivered.imported)} notices of the delivered kinds imported.`,
    '',
    'Issue 11 targets:',
    ...table([
      ['', 'value', 'target', ''],
      ...verdicts.map((v) => [
        v.what,
        v.value === null ? '-' : String(v.value),
        v.target,
        v.met === null ? 'not measured' : v.met ? 'met' : 'NOT met',
      ]),
    ]),
    ...(profile && profiledLoad
      ? [
          '',
          `Profiled service (list, another process, under the profiler): ${profiledLoad.requestsPerSecond} req/s, ` +
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
        options: { ...OPTIONS, seed: SEED },
        data: {
          fictiveData: fill,
          weeklyRun: { created: firstRun.created, ms: round1(weeklyRunMs, 1) },
          weeklyRerun: { created: rerun.created, ms: round1(rerunMs, 1) },
          dailySocialCareRun: {
            created: firstDaily.created,
            createdByKind: firstDaily.createdByKind,
            ms: round1(dailyRunMs, 1),
          },
          dailySocialCareRerun: { created: dailyRerun.created, ms: round1(dailyRerunMs, 1) },
          deliveredSocialCareNotices: delivered.imported,
          vacuumAnalyzeMs: round1(vacuumMs, 1),
          municipality: largest,
          postalCode: area,
          notificationId: newest?.id,
        },
        requests: samples,
        floorSameBytes: sameBytes,
        statementsPerRequest,
        accessLogStatementsPerRequest,
        accessLog: { serviceRequests, entriesWritten: accessLogWritten },
        serverLogBytes: stdoutBytes,
        serverStderrLines: stderrLines,
        loads,
        ratios,
        verdicts,
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
