import 'reflect-metadata';
import { createAuthentication, DEMO_HANDLER, mintHandlerToken } from './auth/authentication';
import { ConfigurationError, configurationWarnings, loadConfig } from './config';
import { createDataSource } from './db/data-source';
import { openDatabase } from './db/database';
import {
  loadDemoDataOnce,
  loadDemoHomeCareAllowanceOnce,
  registerDemoOrganisationAgreements,
} from './dev/demo-data';
import { systemClock } from './domain/clock';
import { createHttpServer } from './http/app';
import { demoExampleVariables, type PlaygroundOptions } from './http/playground';
import { ensurePortFree, PortInUseError } from './http/port';
import { onShutdownSignal } from './jobs/signals';
import { startWorker } from './jobs/worker';
import { logger } from './logger';
import { accessLogAnchorFile } from './services/access-log.service';
import { accessLogSpoolFile, replayAccessLogSpool, spoolAccessEntries } from './services/access-log-spool';

/**
 * `npm start`: database (embedded unless DATABASE_URL), migrations, reference and demo data, purge, the job worker
 * (unless WORKER=off), API.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  await ensurePortFree(config.host, config.port);
  const auth = await createAuthentication(config.auth);
  const database = await openDatabase(config);
  await database.warnAboutRoles();
  // The API has a pool of its own with acquire and statement timeouts, so that no request waits without bound; the
  // scheduled jobs keep openDatabase's pool, where the weekly run's one long statement may take its time.
  const apiDataSource = createDataSource({
    url: database.url,
    poolSize: config.database.poolSize,
    connectionTimeoutMs: config.database.connectionTimeoutMs,
    statementTimeoutMs: config.database.statementTimeoutMs,
    applicationName: 'kelmu-graphql-api',
  });
  // Access log entries that a previous run could not write before it stopped go in before anything is served.
  const spoolFile = accessLogSpoolFile(config.dataDir);
  try {
    await apiDataSource.initialize();
    await replayAccessLogSpool(database.dataSource, spoolFile);
  } catch (error) {
    if (apiDataSource.isInitialized) await apiDataSource.destroy();
    await database.close();
    throw error;
  }
  // GraphiQL at GET /graphql; in development it opens with a fresh demo handler token and a real demo notification.
  const development = auth.development;
  const demoMunicipalities = DEMO_HANDLER.mandates.map((mandate) => mandate.municipality);
  const playground: PlaygroundOptions | undefined = !config.http.playground
    ? undefined
    : development
      ? {
          demoToken: () => mintHandlerToken(development, DEMO_HANDLER),
          exampleVariables: () => demoExampleVariables(apiDataSource, demoMunicipalities),
        }
      : {};
  for (const warning of configurationWarnings(config)) logger.warn(warning);
  const server = await createHttpServer({
    dataSource: apiDataSource,
    verifyToken: auth.verifyToken,
    clock: systemClock,
    ...(auth.development ? { developmentJwks: auth.development.jwks } : {}),
    introspection: config.http.introspection,
    corsOrigins: config.http.corsOrigins,
    rateLimitPerMinute: config.http.rateLimitPerMinute,
    rateLimitStore: config.http.rateLimitStore,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    accessLogRetentionYears: config.accessLogRetentionYears,
    ageSignal: config.ageSignal,
    accessLogAnchorFile: accessLogAnchorFile(config.dataDir),
    ...(playground ? { playground } : {}),
    requireOrganisationAgreement: config.organisationAgreements.required,
    organisationAgreementRefreshSeconds: config.organisationAgreements.refreshSeconds,
  });

  const purge = async () => {
    try {
      const removed = await server.services.purge.purgeAll();
      logger.info(removed, 'purged expired notifications, lists and access log entries');
    } catch (error) {
      logger.error({ err: error }, 'purge failed; the scheduled purge runs it again');
    }
  };
  await purge();
  // The scheduled jobs (weekly run, monthly lists, daily purge): see src/jobs/schedule.ts.
  const worker =
    config.worker === 'inline'
      ? await startWorker({
          connectionString: database.url,
          dataSource: database.dataSource,
          logger: logger.child({ component: 'worker' }),
          eligibility: config.eligibility,
          accessLogRetentionYears: config.accessLogRetentionYears,
        })
      : undefined;

  if (config.loadDemoData) {
    const demo = await loadDemoDataOnce(
      database.dataSource,
      server.services.notificationImport,
      systemClock.now(),
    );
    if (demo.loaded) logger.info(demo, 'demo data loaded');
    const lists = await loadDemoHomeCareAllowanceOnce(
      database.dataSource,
      server.services.recipientImport,
      server.services.homeCareAllowanceGeneration,
      systemClock.now(),
    );
    if (lists.loaded) logger.info(lists, 'demo child home care allowance lists loaded');
    const demoAgreements = await registerDemoOrganisationAgreements(
      server.services.organisationAgreements,
      systemClock.now(),
    );
    if (demoAgreements.registered.length > 0)
      logger.info(demoAgreements, 'demo organisation agreement registered');
  }

  const port = await server.listen(config.port, config.host).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' ? new PortInUseError(config.host, config.port) : error;
  });
  const url = `http://localhost:${port}/graphql`;
  logger.info(
    {
      url,
      authMode: config.auth.mode,
      introspection: config.http.introspection,
      playground: config.http.playground,
      corsOrigins: config.http.corsOrigins,
    },
    'kelmu-graphql is serving',
  );
  if (auth.development) {
    const token = await mintHandlerToken(auth.development, DEMO_HANDLER);
    console.log(
      [
        '',
        `GraphQL API:  ${url}${config.http.playground ? ' (GraphiQL: open it in a browser)' : ''}`,
        `Development mode: tokens are signed locally (JWKS at http://localhost:${port}/.well-known/jwks.json).`,
        `Demo handler (${DEMO_HANDLER.name}; mandates for 905 Vaasa, 499 Mustasaari, 946 Vöyri, 598 Pietarsaari), valid 12 h:`,
        '',
        `Authorization: Bearer ${token}`,
        '',
        'Other tokens: npm run -s token -- --municipality 091  (npm run -s token -- --help)',
        '',
      ].join('\n'),
    );
  }

  // What the last flush could not write goes to the spool, replayed at the next start.
  const spoolUnwritten = () => {
    const unwritten = server.services.accessLog.takeUnwritten();
    if (unwritten.length === 0) return;
    spoolAccessEntries(spoolFile, unwritten);
    logger.warn(
      { entries: unwritten.length, file: spoolFile },
      'access log entries spooled for the next start',
    );
  };
  const limitMs = config.shutdownTimeoutMs;
  let stopping = false;
  let workerStopped = worker === undefined;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, limitMs }, 'shutting down');
    // The last resort at the limit: spool what is not written and exit; the exit hook of an embedded PostgreSQL asks
    // it for a fast shutdown. A running scheduled job is let finish (one transaction: cut short it would roll back
    // and its job stay locked for hours), so the limit waits for it.
    const lastResort = () => {
      if (!workerStopped) {
        logger.warn('a scheduled job is still running; stopping once it has finished');
        setTimeout(lastResort, 1000).unref();
        return;
      }
      logger.error({ limitMs }, 'shutdown did not finish within the limit; exiting');
      spoolUnwritten();
      process.exit(code === 0 ? 1 : code);
    };
    setTimeout(lastResort, Math.max(0, limitMs - 250)).unref();
    // The worker takes no new job and a running one finishes, while the server stops: in-flight requests get 60% of
    // the limit, then their statements are cancelled and they are answered; then the access log is flushed, what it
    // could not write spooled, the pools closed, and PostgreSQL (embedded and started by us) stopped last.
    const stoppingWorker = worker?.stop().finally(() => {
      workerStopped = true;
    });
    await server
      .close({ drainMs: Math.round(limitMs * 0.6), cancelGraceMs: Math.round(limitMs * 0.1) })
      .catch((error: unknown) => logger.error({ err: error }, 'the server did not close cleanly'));
    spoolUnwritten();
    await stoppingWorker;
    await apiDataSource.destroy();
    await database.close();
    logger.info('stopped');
    process.exit(code);
  };
  // A dead worker would silently stop the purge: exit so that the process is restarted.
  worker?.promise.catch((error: unknown) => {
    logger.fatal({ err: error }, 'the job worker failed');
    void shutdown('worker failed', 1);
  });
  onShutdownSignal((signal) => void shutdown(signal), {
    // Asked again: no more waiting, but the access log is spooled first.
    onRepeat: (signal) => {
      logger.warn({ signal }, 'stop requested again: exiting now');
      spoolUnwritten();
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    },
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError || error instanceof PortInUseError) {
    console.error(error.message);
  } else {
    logger.fatal({ err: error }, 'start-up failed');
  }
  process.exit(1);
});
