import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { logger } from '../logger';
import { type AccessEntry, appendAccessLog } from './access-log.service';

/** The spool in DATA_DIR: access-log entries the service could not write before it stopped. */
export function accessLogSpoolFile(dataDir: string): string {
  return path.join(dataDir, 'access-log-spool.ndjson');
}

/**
 * Appends entries to the spool as JSON lines and forces them to disk. Synchronous, so that it also works from the
 * shutdown's last resort right before `process.exit`. The file is the service's alone (mode 600): an entry may name
 * the identity codes searched for, which the log itself keeps only as salted hashes.
 */
export function spoolAccessEntries(file: string, entries: readonly AccessEntry[]): void {
  if (entries.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes the spooled entries into the access log (one statement, so all or none) and removes the spool; at start-up,
 * before serving. The file is first renamed to a name of this process's own, so that two instances sharing DATA_DIR
 * do not both replay it; a claim left by a replay that failed is picked up again. A line that does not parse (cut
 * short by a crash while it was written) is kept aside in `<spool>.rejected` and reported.
 */
export async function replayAccessLogSpool(dataSource: DataSource, file: string): Promise<number> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (!fs.existsSync(dir)) return 0;
  const candidates = fs
    .readdirSync(dir)
    .filter((name) => name === base || name.startsWith(`${base}.replaying-`))
    .map((name) => path.join(dir, name));
  const entries: AccessEntry[] = [];
  const rejected: string[] = [];
  const taken: string[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const own = `${file}.replaying-${process.pid}-${index}`;
    try {
      fs.renameSync(candidate, own);
    } catch {
      continue; // another instance took it
    }
    taken.push(own);
    for (const line of fs.readFileSync(own, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const entry = JSON.parse(line) as AccessEntry;
        entries.push({ ...entry, occurredAt: new Date(entry.occurredAt) });
      } catch {
        rejected.push(line);
      }
    }
  }
  if (taken.length === 0) return 0;
  try {
    await appendAccessLog(dataSource.manager, entries);
  } catch (error) {
    // Put them back for the next start; the service must not serve with entries it could not log.
    spoolAccessEntries(file, entries);
    for (const own of taken) fs.rmSync(own, { force: true });
    throw error;
  }
  if (rejected.length > 0) {
    fs.appendFileSync(`${file}.rejected`, rejected.map((line) => `${line}\n`).join(''), { mode: 0o600 });
    logger.error(
      { rejected: rejected.length, file: `${file}.rejected` },
      'access log spool lines that do not parse were kept aside',
    );
  }
  for (const own of taken) fs.rmSync(own, { force: true });
  if (entries.length > 0) logger.info({ entries: entries.length }, 'spooled access log entries written');
  return entries.length;
}
