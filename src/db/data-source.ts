import 'reflect-metadata';
import { type Pool, types } from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { migrations } from '../../migrations';
import { entities } from '../entities';
import { logger } from '../logger';
import { type AccessLogKey, currentAccessLogKey, sessionOptions } from './access-log-key';

// DATE columns stay 'YYYY-MM-DD' strings: turning them into JS Dates would shift them by the time zone.
types.setTypeParser(types.builtins.DATE, (value: string) => value);

/**
 * Starts the access log's batched writes (AccessLogService.flush), which run on a timer beside requests rather than in
 * them. Only those: the log entries a request writes itself (changes, searches by person) are its own statements.
 */
export const ACCESS_LOG_BATCH_MARKER = '/* access-log */';
/** Marks the periodic refresh of the organisation agreements kept in memory: no request's statement either. */
export const BACKGROUND_REFRESH_MARKER = '/* background-refresh */';

/** Counts SQL statements; tests use it to prove that list queries do not grow with the page size. */
export class StatementCounter implements Logger {
  count = 0;
  logQuery(query = ''): void {
    // The access log's batched writes and the background refreshes are not part of any one request.
    if (!query.startsWith(ACCESS_LOG_BATCH_MARKER) && !query.startsWith(BACKGROUND_REFRESH_MARKER))
      this.count += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  statementCounter?: StatementCounter;
  /**
   * Longest wait for a connection, in milliseconds: for a free one when all are in use, and for a new one to open.
   * Default 10 s.
   */
  connectionTimeoutMs?: number;
  /**
   * PostgreSQL `statement_timeout` of every connection, in milliseconds; none when absent or 0. The API's pool sets it
   * so that no request waits without bound; the scheduled jobs' pool does not (the weekly run is one long statement).
   */
  statementTimeoutMs?: number;
  applicationName?: string;
  /** The access log's key for this pool's sessions; the process's (setProcessAccessLogKey) when absent. */
  accessLogKey?: AccessLogKey;
}

export function createDataSource({
  url,
  poolSize = 10,
  statementCounter,
  connectionTimeoutMs = 10_000,
  statementTimeoutMs,
  applicationName = 'kelmu-graphql',
  accessLogKey = currentAccessLogKey(),
}: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logging: statementCounter ? ['query'] : false,
    logger: statementCounter,
    // An idle connection that PostgreSQL drops (restart, failover) is an 'error' event on the pool: without a listener
    // it would kill the process. The pool discards the connection and opens a new one on the next request.
    poolErrorHandler: (error: Error & { code?: string }) => {
      // Not a request's line: the connection's events run in the context of whichever request opened it.
      logger.warn(
        { requestId: undefined, code: error.code, pool: applicationName },
        `database connection lost: ${error.message}`,
      );
    },
    extra: {
      max: poolSize,
      application_name: applicationName,
      connectionTimeoutMillis: connectionTimeoutMs,
      keepAlive: true,
      ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
      ...(accessLogKey ? { options: sessionOptions(accessLogKey) } : {}),
    },
  });
}

/** The pg Pool itself, for statements that bypass TypeORM (the shared rate limit); call after initialize. */
export function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('The data source is not initialized: it has no pool yet.');
  return pool;
}

/** The pg Pool under a data source (TypeORM's postgres driver keeps it as `master`); undefined before initialize. */
export function poolOf(dataSource: DataSource): PoolStats | undefined {
  return (dataSource.driver as unknown as { master?: PoolStats }).master;
}

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}
