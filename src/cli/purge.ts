import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { systemClock } from '../domain/clock';
import { PurgeService } from '../services/purge.service';

/** `npm run purge`: the daily purge by hand. */
async function main() {
  const database = await openDatabase(loadConfig());
  try {
    const removed = await new PurgeService(database.dataSource, systemClock).purgeExpired();
    console.log(`Removed ${removed} notification(s) in processing and pending over 30 days.`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
