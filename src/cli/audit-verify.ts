import 'reflect-metadata';
import { accessLogAnchorFile, readAnchorFile } from '../services/access-log.service';
import { refuseArguments } from './args';
import { type OpenCommand, runCommand } from './run-command';

const USAGE = `Usage: npm run audit:verify

Recomputes the access log's MAC chain and checks it against its checkpoints (table and DATA_DIR/access-log-anchor.json).
Exit 0: all verify; 1: a problem (each named by its chain position, the first bad one first); 2: usage, configuration
or connection error. Reads the same environment as npm start (DATABASE_URL, DATA_DIR, ACCESS_LOG_KEY).`;

/**
 * `npm run audit:verify`: recomputes the access log's keyed MAC chain (ACCESS_LOG_KEY) and checks it against its
 * checkpoints: the retention purge's (where the log may start), the newest in the checkpoint table and the anchor file
 * in DATA_DIR (where it must reach, with the same MAC). Exit 0 when everything verifies, 1 when an entry was altered
 * or removed (each problem names its chain position, the first bad one first), 2 on configuration or connection
 * errors.
 */
async function main(open: OpenCommand): Promise<number> {
  refuseArguments(USAGE);
  // Not accessLog.close() afterwards: a verification writes no checkpoint, least of all the head of a log it found
  // tampered.
  const { config, services } = await open();
  const accessLog = services.accessLog;
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
}

runCommand(main, { failureCode: 2 });
