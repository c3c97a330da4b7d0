import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import {
  type JobHelpers,
  makeWorkerUtils,
  parseCrontab,
  type TimestampDigest,
  type WorkerUtils,
} from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { CRONTAB, helsinkiTime, isHelsinkiSlot, TASKS } from '../src/jobs/schedule';
import { createTaskList } from '../src/jobs/tasks';
import { appendAccessLog } from '../src/services/access-log.service';
import { createTestDatabase } from './support/database';

const ROOT = path.resolve(__dirname, '..');
const FINISHED = 'weekly immigrant notification run finished';

type LogLine = Record<string, unknown> & { msg?: string };

/** `npm run worker` as a child process, with its JSON log lines collected. */
class WorkerProcess {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    databaseUrl: string,
  ) {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/cli/worker.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    readline.createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  logged(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  started(): Promise<void> {
    return poll(`${this.name} started`, 30_000, async () => {
      if (this.child.exitCode !== null) {
        throw new Error(`${this.name} exited at start: ${this.stderr.join('')}`);
      }
      return this.logged('worker started').length > 0;
    });
  }

  /** Signals the process and waits for it to exit (SIGKILL after the timeout). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const state = await diagnosis().catch((error: unknown) => String(error));
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the workers logged and what the database is doing, for a failure message. */
async function diagnosis(): Promise<string> {
  const { rows: jobs } = await db.query(
    'SELECT id, task_identifier, key, attempts, locked_by, last_error FROM graphile_worker.jobs',
  );
  const { rows: activity } = await db.query(
    `SELECT pid, application_name, state, wait_event_type, wait_event, left(query, 60) AS query
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  const logs = workers.map((worker) => ({
    worker: worker.name,
    lines: worker.lines.map((line) => `${line.level} ${line.msg}`),
    stderr: worker.stderr.join('').slice(-2_000),
  }));
  return JSON.stringify({ jobs, activity, logs }, null, 1);
}

let database: { url: string; drop: () => Promise<void> };
let db: pg.Pool;
let utils: WorkerUtils;
const workers: WorkerProcess[] = [];

function startWorkerProcess(name: string): WorkerProcess {
  const worker = new WorkerProcess(name, database.url);
  workers.push(worker);
  return worker;
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ count: string }>(sql, values);
  return Number(rows[0]?.count);
}

const notifications = () => count('SELECT count(*) FROM notification');
const weeklyRunAudits = () =>
  count(
    "SELECT count(*) FROM audit_event WHERE action = 'IMPORT' AND actor_id = 'kela-weekly-immigrant-run'",
  );
const ledger = () => count('SELECT count(*) FROM notification_ledger');
const jobsWithKey = (key: string) => count('SELECT count(*) FROM graphile_worker.jobs WHERE key = $1', [key]);

/** Benefit facts that make `count` fictive persons eligible for the weekly runs of November 2026. */
async function givenEligiblePersons(dateOfBirth: string, howMany: number): Promise<string[]> {
  const codes = Array.from({ length: howMany }, (_, i) => fictivePersonalIdentityCode(dateOfBirth, i));
  await db.query(
    `INSERT INTO benefit_person (personal_identity_code, first_names, last_name, date_of_birth, street, postal_code,
                                 post_office, municipality_code, native_language, citizenship,
                                 first_residence_permit_start, eu_eea_citizen)
     SELECT code, 'Test', 'Person ' || ordinality, $2, 'Kauppapuistikko 1', '65100', 'VAASA', '905', 'ar', 'SYR',
            '2025-01-01', false
       FROM unnest($1::text[]) WITH ORDINALITY AS c(code, ordinality)`,
    [codes, dateOfBirth],
  );
  await db.query(
    `INSERT INTO basic_income_support_decision (personal_identity_code, month)
     SELECT code, month::date FROM unnest($1::text[]) AS code, unnest(ARRAY['2026-10-01', '2026-11-01']) AS month`,
    [codes],
  );
  return codes;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 4 });
  // Used only once a worker has created graphile-worker's schema.
  utils = await makeWorkerUtils({ connectionString: database.url });
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop('SIGKILL', 5_000)));
  await utils.release();
  await db?.end();
  await database?.drop();
});

describe('the job queue on one database', () => {
  const N = 40;
  const M = 25;

  it('runs a job enqueued by two machines once, with two workers competing for it', async () => {
    await givenEligiblePersons('1990-01-15', N);
    // Both start on a database without graphile-worker's schema: their migrations must not collide.
    const [first, second] = [startWorkerProcess('worker 1'), startWorkerProcess('worker 2')];
    await Promise.all([first.started(), second.started()]);

    // Both machines enqueue the week's run: the job key makes it one job.
    const key = 'immigrant_notifications:2026-11-02';
    const runAt = new Date(Date.now() + 1_000);
    await Promise.all(
      [0, 1].map(() =>
        utils.addJob(TASKS.immigrantNotifications, { asOf: '2026-11-02' }, { jobKey: key, runAt }),
      ),
    );
    expect(await jobsWithKey(key)).toBe(1);

    await poll('the weekly run to finish', 20_000, async () => (await jobsWithKey(key)) === 0);
    expect(await notifications()).toBe(N);
    expect(await weeklyRunAudits()).toBe(N);
    expect(await ledger()).toBe(N);
    const finished = [...first.logged(FINISHED), ...second.logged(FINISHED)];
    const ofThisJob = finished.filter((line) => line.jobKey === key);
    expect(ofThisJob).toHaveLength(1);
    expect(ofThisJob[0]).toMatchObject({ asOf: '2026-11-02', created: N });
    // Whatever else ran (a crontab slot may fall into the test), nothing was created twice.
    expect(finished.reduce((sum, line) => sum + Number(line.created), 0)).toBe(N);
    // Counts only: no identity code, name or address in any log line.
    const logs = JSON.stringify([...first.lines, ...second.lines]);
    expect(logs).not.toMatch(/\d{6}[-+A-FU-Y]9\d\d[0-9A-Y]/);
    expect(logs).not.toContain('Kauppapuistikko');

    // Running the same week again creates nothing.
    await utils.addJob(TASKS.immigrantNotifications, { asOf: '2026-11-02' }, { jobKey: key });
    await poll('the rerun to finish', 20_000, async () => (await jobsWithKey(key)) === 0);
    await poll('the rerun to be logged', 5_000, async () =>
      [...first.logged(FINISHED), ...second.logged(FINISHED)].some(
        (line) => line.jobKey === key && line.created === 0,
      ),
    );
    expect(await notifications()).toBe(N);
    expect(await weeklyRunAudits()).toBe(N);

    const exits = await Promise.all([first.stop('SIGTERM'), second.stop('SIGTERM')]);
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  }, 60_000);

  it('a worker killed in the middle of a run leaves nothing behind, and the rerun creates everything once', async () => {
    const codes = await givenEligiblePersons('1985-03-20', M);
    const name = new URL(database.url).pathname.slice(1);
    // What PostgreSQL does about a dead client while a statement waits on a lock, within 100 ms instead of at the
    // next TCP keepalive (new sessions of this test database only).
    await db.query(`ALTER DATABASE ${name} SET client_connection_check_interval = '100ms'`);
    // Holds the run in the middle of its statement: each notification row waits for an advisory lock the test holds,
    // after the persons have been written within the run's transaction.
    await db.query(`
      CREATE FUNCTION test_hold_weekly_run() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NEW; END $$;
      CREATE TRIGGER test_hold_weekly_run BEFORE INSERT ON notification
        FOR EACH ROW EXECUTE FUNCTION test_hold_weekly_run();`);
    const holder = await db.connect();
    let held = true;
    try {
      await holder.query('SELECT pg_advisory_lock(4242)');

      const doomed = startWorkerProcess('worker to be killed');
      await doomed.started();
      const key = 'immigrant_notifications:2026-11-09';
      await utils.addJob(TASKS.immigrantNotifications, { asOf: '2026-11-09' }, { jobKey: key });

      let backendPid = 0;
      await poll('the run to block in the middle of its statement', 20_000, async () => {
        const { rows } = await db.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'kelmu-graphql'
              AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%basic_income_support_decision%'`,
        );
        backendPid = rows[0]?.pid ?? 0;
        return backendPid > 0;
      });
      const { rows: lockedBefore } = await db.query<{ locked_by: string | null; attempts: number }>(
        'SELECT locked_by, attempts FROM graphile_worker.jobs WHERE key = $1',
        [key],
      );
      const deadWorkerId = lockedBefore[0]?.locked_by;
      expect(deadWorkerId).toBeTruthy();

      expect(await doomed.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      await poll('PostgreSQL to end the dead worker’s session', 10_000, async () => {
        return (await count('SELECT count(*) FROM pg_stat_activity WHERE pid = $1', [backendPid])) === 0;
      });

      // Its transaction is gone: not one person, notification, ledger or audit row of this run.
      expect(await count('SELECT count(*) FROM person WHERE personal_identity_code = ANY($1)', [codes])).toBe(
        0,
      );
      expect(await notifications()).toBe(N);
      expect(await ledger()).toBe(N);
      expect(await weeklyRunAudits()).toBe(N);
      // The job stays locked by the dead worker: no one else runs it until it is unlocked.
      expect(
        (await db.query('SELECT locked_by, attempts FROM graphile_worker.jobs WHERE key = $1', [key])).rows,
      ).toEqual([{ locked_by: deadWorkerId, attempts: 1 }]);

      await holder.query('SELECT pg_advisory_unlock(4242)');
      held = false;
      await db.query(
        'DROP TRIGGER test_hold_weekly_run ON notification; DROP FUNCTION test_hold_weekly_run()',
      );

      const survivor = startWorkerProcess('surviving worker');
      await survivor.started();
      expect(await jobsWithKey(key)).toBe(1);
      // graphile-worker frees a dead worker's jobs once their lock is 4 hours old; an operator who knows the worker
      // is gone frees them at once.
      await utils.forceUnlockWorkers([deadWorkerId as string]);
      await poll('the rerun to finish', 20_000, async () => (await jobsWithKey(key)) === 0);

      expect(await notifications()).toBe(N + M);
      expect(await count('SELECT count(*) FROM person WHERE personal_identity_code = ANY($1)', [codes])).toBe(
        M,
      );
      expect(await ledger()).toBe(N + M);
      expect(await weeklyRunAudits()).toBe(N + M);
      const rerun = survivor.logged(FINISHED).filter((line) => line.jobKey === key);
      expect(rerun).toHaveLength(1);
      expect(rerun[0]).toMatchObject({ asOf: '2026-11-09', created: M, attempt: 2 });
      expect(await survivor.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      if (held) await holder.query('SELECT pg_advisory_unlock_all()');
      holder.release();
    }
  }, 60_000);
});

describe('the crontab', () => {
  const items = parseCrontab(CRONTAB);

  it('parses, names the four tasks, and gives every line its own identifier and a backfill period', () => {
    expect(new Set(items.map((item) => item.task))).toEqual(
      new Set(['immigrant_notifications', 'home_care_allowance_lists', 'purge', 'social_care_notices']),
    );
    expect(new Set(items.map((item) => item.identifier)).size).toBe(items.length);
    for (const item of items) {
      expect(item.identifier).not.toBe(item.task);
      expect(item.options.backfillPeriod).toBeGreaterThan(0);
      expect(item.payload).toMatchObject({ at: expect.stringMatching(/^\d{2}:\d{2}$/) });
    }
    const taskList = createTaskList({ dataSource: {} as DataSource, logger: pino({ level: 'silent' }) });
    // Besides the crontab's: the webhooks' (test/webhooks.test.ts).
    expect(Object.keys(taskList).sort()).toEqual(
      [...new Set(items.map((item) => item.task)), 'webhook_delivery', 'webhooks_dispatch'].sort(),
    );
  });

  it('runs each slot once at its Helsinki time all year, across both DST changes', () => {
    // Every minute of 2026 (UTC, plus the evening before), as graphile-worker's cron sees it.
    const runs = new Map<string, { date: string; time: string; weekday: string }[]>();
    const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Helsinki', weekday: 'short' });
    const date = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' });
    for (let t = Date.UTC(2025, 11, 31, 12); t < Date.UTC(2027, 0, 1); t += 60_000) {
      const instant = new Date(t);
      const digest: TimestampDigest = {
        min: instant.getUTCMinutes(),
        hour: instant.getUTCHours(),
        date: instant.getUTCDate(),
        month: instant.getUTCMonth() + 1,
        dow: instant.getUTCDay(),
      };
      for (const item of items) {
        if (!item.match(digest) || !isHelsinkiSlot(String(item.payload?.at), instant)) continue;
        const day = date.format(instant);
        if (!day.startsWith('2026-')) continue;
        const list = runs.get(item.task) ?? [];
        list.push({ date: day, time: helsinkiTime(instant), weekday: weekday.format(instant) });
        runs.set(item.task, list);
      }
    }
    const weekly = runs.get('immigrant_notifications') ?? [];
    expect(weekly).toHaveLength(52);
    expect(weekly.every((run) => run.weekday === 'Mon' && run.time === '03:00')).toBe(true);
    for (const [task, time] of [
      ['home_care_allowance_lists', '02:30'],
      ['purge', '01:00'],
      ['social_care_notices', '02:00'],
    ] as const) {
      const daily = runs.get(task) ?? [];
      expect(daily).toHaveLength(365);
      expect(new Set(daily.map((run) => run.date)).size).toBe(365);
      expect(daily.every((run) => run.time === time)).toBe(true);
    }
    // Either side of the changes of 29 March and 25 October 2026.
    expect(
      weekly.filter((run) => ['2026-03-23', '2026-03-30', '2026-10-19', '2026-10-26'].includes(run.date)),
    ).toEqual([
      { date: '2026-03-23', time: '03:00', weekday: 'Mon' },
      { date: '2026-03-30', time: '03:00', weekday: 'Mon' },
      { date: '2026-10-19', time: '03:00', weekday: 'Mon' },
      { date: '2026-10-26', time: '03:00', weekday: 'Mon' },
    ]);
  });

  it('runs a slot for its own Finnish date and skips the copy of the other half of the year', async () => {
    const lines: LogLine[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
    );
    const dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    try {
      const tasks = createTaskList({ dataSource, logger });
      const helpers = (id: string) =>
        ({
          job: { id, task_identifier: TASKS.homeCareAllowanceLists, key: null, attempts: 1 },
        }) as unknown as JobHelpers;
      const lists = tasks[TASKS.homeCareAllowanceLists];
      // 30 November 2026 (a Monday) is November's last weekday. In winter its 02:30 is 00:30 UTC...
      await lists?.({ at: '02:30', _cron: { ts: '2026-11-30T00:30:00.000Z' } }, helpers('1'));
      // ...so the summer line (23:30 UTC, here 01:30 in Helsinki) is skipped,
      await lists?.({ at: '02:30', _cron: { ts: '2026-11-29T23:30:00.000Z' } }, helpers('2'));
      // and a job backfilled for that slot but run days later still works for 30 November, not for today.
      await lists?.(
        { at: '02:30', _cron: { ts: '2026-11-30T00:30:00.000Z', backfilled: true } },
        helpers('3'),
      );
      await lists?.({ at: '02:30', _cron: { ts: '2026-12-01T00:30:00.000Z' } }, helpers('4'));
      const outcome = (jobId: string) =>
        lines
          .filter((line) => line.jobId === jobId && line.level !== 20)
          .map((line) => [line.msg, line.asOf]);
      expect(outcome('1')).toEqual([
        ['job started', '2026-11-30'],
        ['child home care allowance lists generated', '2026-11-30'],
      ]);
      expect(lines.filter((line) => line.jobId === '2').map((line) => line.msg)).toEqual([
        expect.stringMatching(/^not this slot/),
      ]);
      expect(outcome('3')).toEqual([
        ['job started', '2026-11-30'],
        ['child home care allowance lists generated', '2026-11-30'],
      ]);
      expect(outcome('4')).toEqual([
        ['job started', '2026-12-01'],
        ['child home care allowance lists not due yet', '2026-12-01'],
      ]);
      await expect(lists?.({ asOf: '2026-02-30' }, helpers('5')) ?? Promise.resolve()).rejects.toThrow(
        /Invalid payload/,
      );
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('the tasks take their time and settings from the worker', () => {
  const helpers = (task: string, id: string) =>
    ({ job: { id, task_identifier: task, key: null, attempts: 1 } }) as unknown as JobHelpers;
  const at = (iso: string) => ({ now: () => new Date(iso) });

  it('the weekly run writes its audit rows at the clock’s time, not the machine’s', async () => {
    const codes = await givenEligiblePersons('1979-07-07', 2);
    const dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    try {
      const clock = at('2026-11-16T01:00:00.000Z');
      const tasks = createTaskList({ dataSource, logger: pino({ level: 'silent' }), clock });
      await tasks[TASKS.immigrantNotifications]?.(
        { asOf: '2026-11-16' },
        helpers(TASKS.immigrantNotifications, 'clock-1'),
      );
      const { rows } = await db.query<{ occurred_at: Date }>(
        `SELECT a.occurred_at FROM audit_event a
           JOIN notification n ON n.id = a.notification_id JOIN person p ON p.id = n.person_id
          WHERE a.action = 'IMPORT' AND p.personal_identity_code = ANY($1)`,
        [codes],
      );
      expect(rows.map((row) => row.occurred_at.toISOString())).toEqual([
        '2026-11-16T01:00:00.000Z',
        '2026-11-16T01:00:00.000Z',
      ]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('the purge keeps social-care notices for the configured days, and the daily run runs for its date', async () => {
    const dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    try {
      const [person]: { id: string }[] = await dataSource.query(
        `INSERT INTO person (personal_identity_code, first_names, last_name, date_of_birth, street, postal_code,
                             post_office)
         VALUES ($1, 'Anna', 'Retention', '1991-01-01', 'Rantatie 1', '65100', 'VAASA') RETURNING id`,
        [fictivePersonalIdentityCode('1991-01-01', 7)],
      );
      await dataSource.query(
        `INSERT INTO social_care_notice (source_id, kind, person_id, municipality_code, received_at, visible_from)
         VALUES ('jobs-retention-1', 'CONTACT', $1, '905', $2, $2), ('jobs-retention-2', 'CONTACT', $1, '905', $3, $3)`,
        [person?.id, new Date('2026-11-13T01:00:00.000Z'), new Date('2026-11-15T01:00:00.000Z')],
      );
      const tasks = createTaskList({
        dataSource,
        logger: pino({ level: 'silent' }),
        clock: at('2026-11-16T01:00:00.000Z'),
        socialCareNoticeRetentionDays: 2,
      });
      await tasks[TASKS.purge]?.({}, helpers(TASKS.purge, 'social-care-retention-1'));
      // 90 days (the default) would have kept both.
      const { rows } = await db.query<{ source_id: string }>(
        "SELECT source_id FROM social_care_notice WHERE source_id LIKE 'jobs-retention-%'",
      );
      expect(rows).toEqual([{ source_id: 'jobs-retention-2' }]);
      await expect(
        tasks[TASKS.socialCareNotices]?.({ asOf: '2026-11-16' }, helpers(TASKS.socialCareNotices, 'daily-1')),
      ).resolves.toBeUndefined();
    } finally {
      await dataSource.destroy();
    }
  });

  it('the purge keeps access log entries for the configured years', async () => {
    const dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    try {
      const entry = (occurredAt: string) => ({
        occurredAt: new Date(occurredAt),
        actorKind: 'PERSON',
        actorId: 'retention-test',
        organisation: '905',
        dataContent: null,
        purpose: null,
        operation: 'notification',
      });
      for (const occurredAt of ['2023-06-01T10:00:00.000Z', '2025-06-01T10:00:00.000Z']) {
        await dataSource.transaction((manager) => appendAccessLog(manager, [entry(occurredAt)]));
      }
      const tasks = createTaskList({
        dataSource,
        logger: pino({ level: 'silent' }),
        clock: at('2026-11-16T01:00:00.000Z'),
        accessLogRetentionYears: 2,
      });
      await tasks[TASKS.purge]?.({}, helpers(TASKS.purge, 'retention-1'));
      // Five years (the default) would have kept both.
      const { rows } = await db.query<{ occurred_at: Date }>(
        "SELECT occurred_at FROM access_log WHERE actor_id = 'retention-test' ORDER BY chain_seq",
      );
      expect(rows.map((row) => row.occurred_at.toISOString())).toEqual(['2025-06-01T10:00:00.000Z']);
    } finally {
      await dataSource.destroy();
    }
  });
});
