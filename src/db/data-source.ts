import 'reflect-metadata';
import { types } from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { migrations } from '../../migrations';
import { entities } from '../entities';

// DATE columns stay 'YYYY-MM-DD' strings: turning them into JS Dates would shift them by the time zone.
types.setTypeParser(types.builtins.DATE, (value: string) => value);

/** Counts SQL statements; tests use it to prove that list queries do not grow with the page size. */
export class StatementCounter implements Logger {
  count = 0;
  logQuery(): void {
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
}

export function createDataSource({ url, poolSize = 10, statementCounter }: DataSourceOptions): DataSource {
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
    extra: { max: poolSize, application_name: 'kelmu-graphql' },
  });
}
