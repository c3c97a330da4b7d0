import 'reflect-metadata';
import { createAuthentication, DEMO_HANDLER, mintHandlerToken } from './auth/authentication';
import { ConfigurationError, loadConfig } from './config';
import { createDataSource } from './db/data-source';
import { openDatabase } from './db/database';
import { systemClock } from './domain/clock';
import { createHttpServer } from './http/app';
import { demoExampleVariables, type PlaygroundOptions } from './http/playground';
import { onShutdownSignal } from './jobs/signals';
import { startWorker } from './jobs/worker';
import { logger } from './logger';
import { loadDemoDataOnce, loadDemoHomeCareAllowanceOnce } from './services/demo-data';

/**
 * `npm start`: database (embedded unless DATABASE_URL), migrations, reference and demo data, purge, the job worker
 * (unless WORKER=off), API.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const auth = await createAuthentication(config.auth);
  const database = await openDatabase(config);
  // The API has a pool of its own with acquire and statement timeouts, so that no request waits without bound; the
  // scheduled jobs keep openDatabase's pool, where the weekly run's one long statement may take its time.
  const apiDataSource = createDataSource({
    url: database.url,
    poolSize: config.database.poolSize,
    connectionTimeoutMs: config.database.connectionTimeoutMs,
    statementTimeoutMs: config.database.statementTimeoutMs,
    applicationName: 'kelmu-graphql-api',
  });
  try {
    await apiDataSource.initialize();
  } catch (error) {
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
  if (config.http.playground && !config.http.introspection) {
    logger.warn(
      'PLAYGROUND is on but GRAPHQL_INTROSPECTION is off: GraphiQL runs operations but has no schema for completion and docs',
    );
  }
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
    ...(playground ? { playground } : {}),
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
      server.services.homeCareAllowance,
      systemClock.now(),
    );
    if (lists.loaded) logger.info(lists, 'demo child home care allowance lists loaded');
  }

  const port = await server.listen(config.port);
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
        'Other tokens: npm run token -- --municipality 091',
        '',
      ].join('\n'),
    );
  }

  let stopping = false;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop taking jobs and let a running one finish; stop accepting requests and let in-flight ones finish (Apollo's
    // drain, at most 10 s); then close the pools (and an embedded PostgreSQL this process started).
    await worker?.stop();
    await server.close();
    await apiDataSource.destroy();
    await database.close();
    process.exit(code);
  };
  // A dead worker would silently stop the purge: exit so that the process is restarted.
  worker?.promise.catch((error: unknown) => {
    logger.fatal({ err: error }, 'the job worker failed');
    void shutdown('worker failed', 1);
  });
  onShutdownSignal((signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
  } else {
    logger.fatal({ err: error }, 'start-up failed');
  }
  process.exit(1);
});
