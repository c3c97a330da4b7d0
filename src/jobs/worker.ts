import { Logger as GraphileLogger, type Runner, run, runMigrations } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../domain/clock';
import type { EligibilityRule } from '../services/immigrant-notification-run.service';
import { CRONTAB, WEBHOOK_CRONTAB } from './schedule';
import { createTaskList } from './tasks';

/**
 * The job queue: graphile-worker keeps jobs in PostgreSQL (schema `graphile_worker`, created and migrated at start),
 * so the scheduled runs need nothing besides the database the service already has. Workers take jobs with
 * `FOR UPDATE SKIP LOCKED`, so any number of them (inside `npm start` or as `npm run worker`) share one queue and each
 * job runs once. Delivery is at-least-once: a job whose worker died runs again (after `forceUnlockWorkers`, or
 * automatically once its lock is 4 hours old), and a job whose work committed but whose completion did not is
 * retried. Every task is therefore an idempotent, single-transaction service call: a crash leaves nothing half-done
 * and a rerun creates nothing twice.
 */
export interface StartWorkerOptions {
  /** The database (Database.url from openDatabase); or give pgPool. */
  connectionString?: string;
  /** A pg Pool to share instead of connectionString (it needs a connection per concurrent job plus two). */
  pgPool?: pg.Pool;
  /** The services' data source: tasks run through it, not through graphile-worker's connections. */
  dataSource: DataSource;
  logger: Logger;
  /** Jobs run at the same time by this process (default 1: the runs are single set-based statements). */
  concurrency?: number;
  eligibility?: EligibilityRule;
  /** Years the daily purge keeps access log entries (config.accessLogRetentionYears; default 5). */
  accessLogRetentionYears?: number;
  /** Days the daily purge keeps social-care notices (config.socialCareNoticeRetentionDays). */
  socialCareNoticeRetentionDays?: number;
  clock?: Clock;
  /** The crontab to schedule (default: CRONTAB and WEBHOOK_CRONTAB); false runs enqueued jobs only. */
  crontab?: string | false;
  /** Milliseconds between polls for jobs due in the future or for retries (default 2000). */
  pollInterval?: number;
}

export interface WorkerHandle {
  /** Graceful stop: takes no new jobs, waits for running ones, releases graphile-worker's connections. */
  stop(): Promise<void>;
  /** Settles when the worker stops; rejects when it fails (e.g. the database went away for good). */
  promise: Promise<void>;
  addJob: Runner['addJob'];
}

/** graphile-worker's log lines through pino; metadata is cut to ids and timings (a job's error may quote data). */
function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => {
    const log = logger.child({
      ...(scope.workerId ? { workerId: scope.workerId } : {}),
      ...(scope.jobId ? { jobId: scope.jobId } : {}),
      ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}),
    });
    return (level, message, meta) => {
      const fields: Record<string, unknown> = {};
      if (typeof meta?.duration === 'number') fields.ms = Math.round(meta.duration);
      const job = meta?.job as { id?: string; attempts?: number } | undefined;
      if (job?.id) Object.assign(fields, { jobId: job.id, attempt: job.attempts });
      switch (level as string) {
        case 'error':
          log.error(fields, message);
          break;
        case 'warning':
          log.warn(fields, message);
          break;
        case 'info':
          log.info(fields, message);
          break;
        default:
          log.debug(fields, message);
      }
    };
  });
}

/**
 * graphile-worker bootstraps its schema with `create schema if not exists`, which two processes starting on a fresh
 * database at the same moment can both attempt (and one fails). A session advisory lock lets one migrate at a time.
 */
async function migrateSerially(pool: pg.Pool, logger: GraphileLogger): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('kelmu-graphql:graphile-worker-migrations'))");
    try {
      await runMigrations({ pgPool: pool, logger });
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('kelmu-graphql:graphile-worker-migrations'))");
    }
  } finally {
    client.release();
  }
}

/** Starts a worker that runs the crontab's jobs and any enqueued ones. Signals are the caller's to handle. */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const { connectionString } = options;
  if (!connectionString && !options.pgPool)
    throw new Error('startWorker needs a connectionString or a pgPool');
  const concurrency = options.concurrency ?? 1;
  // A pool of our own rather than graphile-worker's: it has an error listener from start to end, so a connection
  // dropped while stopping (Ctrl-C also stops the embedded PostgreSQL) is logged instead of crashing the process.
  const ownPool = options.pgPool ? undefined : new pg.Pool({ connectionString, max: concurrency + 4 });
  ownPool?.on('error', (error: Error & { code?: string }) => {
    options.logger.warn({ code: error.code }, `job queue connection failed: ${error.message}`);
  });
  const pgPool = (options.pgPool ?? ownPool) as pg.Pool;
  const logger = graphileLogger(options.logger);
  let runner: Runner;
  try {
    await migrateSerially(pgPool, logger);
    const crontab = options.crontab ?? `${CRONTAB}${WEBHOOK_CRONTAB}`;
    runner = await run({
      pgPool,
      concurrency,
      ...(options.pollInterval ? { pollInterval: options.pollInterval } : {}),
      // main.ts and the worker CLI stop the worker themselves, then close the database and exit.
      noHandleSignals: true,
      logger,
      taskList: createTaskList({
        dataSource: options.dataSource,
        logger: options.logger,
        ...(options.eligibility ? { eligibility: options.eligibility } : {}),
        ...(options.accessLogRetentionYears
          ? { accessLogRetentionYears: options.accessLogRetentionYears }
          : {}),
        ...(options.socialCareNoticeRetentionDays
          ? { socialCareNoticeRetentionDays: options.socialCareNoticeRetentionDays }
          : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      }),
      // Without a crontab, graphile-worker would look for a file named `crontab` in the working directory.
      ...(crontab ? { crontab } : { parsedCronItems: [] }),
    });
  } catch (error) {
    await ownPool?.end();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      // runner.stop() only throws when the runner already stopped itself (after a fatal error): then wait for that.
      stopped ??= runner
        .stop()
        .catch(() => runner.promise.catch(() => {}))
        .then(() => ownPool?.end());
      return stopped;
    },
    promise: runner.promise,
    addJob: runner.addJob,
  };
}
