import fs from 'node:fs';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { ACCESS_LOG_BATCH_MARKER } from '../db/data-source';
import { personKeySql, storedPersonKeySql } from '../db/person-key';
import { decodeKeyCursor, encodeKeyCursor } from '../domain/cursor';
import { DataContent } from '../domain/enums';
import { BadUserInputError } from '../domain/errors';
import { isUuid, requirePageSize, requirePersonalIdentityCode } from '../domain/validation';
import { type AccessGrant, municipalitiesFor, type Viewer } from '../domain/viewer';
import { logger } from '../logger';
import type {
  AccessLogEntryShape as AccessLogEntry,
  AccessLogFilterShape as AccessLogFilter,
  AccessRecord,
} from './shapes';

/** An entry's position: its chain sequence (bigint). */
const SEQ_KEY = ['int8'] as const;

/** One access to personal data: ids of what was returned or changed, never the data itself. */
export interface AccessEntry extends AccessRecord {
  notificationIds?: string[];
  listIds?: string[];
  socialCareNoticeIds?: string[];
  /** Identity codes searched for or returned; stored only as keyed person keys, so the log can be searched by person. */
  personalIdentityCodes?: string[];
}

/** Which recipient of social-care notices a municipality belongs to, and a recipient's municipalities. */
export interface RecipientDirectory {
  recipientOf(code: string): { id: string } | undefined;
  municipalitiesOfRecipient(recipientId: string): string[];
}

/** The purpose recorded for an access: the grant (mandate issue or agreement) covering that municipality. */
export function purposeOf(grants: readonly AccessGrant[], municipalityCode: string | null): string | null {
  return grants.find((grant) => grant.municipalityCode === municipalityCode)?.purpose ?? null;
}

export function entryFor(
  viewer: Viewer,
  now: Date,
  entry: Omit<AccessEntry, 'occurredAt' | 'actorKind' | 'actorId' | 'purpose'>,
): AccessEntry | undefined {
  if (viewer.kind === 'ANONYMOUS') return undefined;
  return {
    ...entry,
    occurredAt: now,
    actorKind: viewer.kind,
    actorId: viewer.id,
    purpose: purposeOf(viewer.grants, entry.organisation),
  };
}

/**
 * Appends entries in one statement. Person keys of identity codes are computed in SQL (personKeySql); notification
 * and social-care notice ids bring the keys kept on their persons (storedPersonKeySql), so that a review by person
 * finds reads of that person's notifications and notices.
 */
export async function appendAccessLog(
  manager: EntityManager,
  entries: readonly AccessEntry[],
  /** `batch`: the background flush of queued reads, marked so as not to count as any request's statement. */
  { batch = false }: { batch?: boolean } = {},
): Promise<void> {
  if (entries.length === 0) return;
  await manager.query(
    `${batch ? ACCESS_LOG_BATCH_MARKER : ''}
     WITH incoming AS (
       SELECT e.*
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (
           "occurredAt" timestamptz, "actorKind" text, "actorId" text, organisation text, "dataContent" text,
           purpose text, operation text, "notificationIds" uuid[], "listIds" uuid[], "personalIdentityCodes" text[],
           "socialCareNoticeIds" uuid[]))
           WITH ORDINALITY AS e
     )
     INSERT INTO access_log (occurred_at, actor_kind, actor_id, organisation, data_content, purpose, operation,
                             notification_ids, list_ids, social_care_notice_ids, person_keys, chain_seq, prev_hash,
                             hash)
     SELECT i."occurredAt", i."actorKind", i."actorId", i.organisation, i."dataContent", i.purpose, i.operation,
            coalesce(i."notificationIds", '{}'), coalesce(i."listIds", '{}'), coalesce(i."socialCareNoticeIds", '{}'),
            ARRAY(SELECT DISTINCT key
                    FROM (SELECT ${personKeySql('c.code')} AS key
                            FROM unnest(coalesce(i."personalIdentityCodes", '{}')) AS c(code)
                          UNION ALL
                          SELECT ${storedPersonKeySql('p')}
                            FROM notification n JOIN person p ON p.id = n.person_id
                           WHERE n.id = ANY(coalesce(i."notificationIds", '{}'))
                          UNION ALL
                          SELECT ${storedPersonKeySql('p')}
                            FROM social_care_notice s JOIN person p ON p.id = s.person_id
                           WHERE s.id = ANY(coalesce(i."socialCareNoticeIds", '{}'))) AS keys),
            0, '', ''
       FROM incoming i ORDER BY i.ordinality`,
    [JSON.stringify(entries)],
  );
}

export interface VerificationReport {
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Chain positions whose content, link or sequence does not verify, or that a checkpoint shows missing. */
  broken: { chainSeq: number; problem: string }[];
}

/** A checkpoint of the chain: its position and MAC there, with a MAC over both (access_log_anchor_mac). */
export interface AccessLogAnchor {
  chainSeq: number;
  /** hex */
  hash: string;
  /** hex */
  mac: string;
  recordedAt: string;
}

/** The anchor file in DATA_DIR. */
export function accessLogAnchorFile(dataDir: string): string {
  return path.join(dataDir, 'access-log-anchor.json');
}

/** Reads the anchor file (undefined when absent or unreadable: it is one witness among others). */
export function readAnchorFile(file: string): AccessLogAnchor | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as AccessLogAnchor;
  } catch {
    return undefined;
  }
}

/**
 * The access log: reads are batched in memory and written every `flushIntervalMs` (or at `maxBatch` entries) in one
 * statement, so a response never waits for its log entry; changes are written in their own transaction instead.
 */
export class AccessLogService {
  private buffer: AccessEntry[] = [];
  /** The batch being written: not yet in the log, no longer in the buffer. */
  private writing: AccessEntry[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  private anchored: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: { flushIntervalMs: number; maxBatch: number } = {
      flushIntervalMs: 200,
      maxBatch: 500,
    },
    /** `anchorFile`: where the chain's newest checkpoint is copied outside the database after writes and at close. */
    private readonly witness: { anchorFile?: string } = {},
    /** The recipients of social-care notices, whose entries are logged under the recipient's id (PO, HEL, AX). */
    private readonly recipients?: RecipientDirectory,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues a read for the next batch. */
  recordRead(entries: readonly (AccessEntry | undefined)[]): void {
    for (const entry of entries) if (entry) this.buffer.push(entry);
    if (this.buffer.length >= this.options.maxBatch) void this.flush();
  }

  /** Writes what is queued; entries stay queued if the database is away, to be retried at the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      this.writing = batch;
      try {
        await appendAccessLog(this.dataSource.manager, batch, { batch: true });
      } catch (error) {
        this.buffer = [...batch, ...this.buffer];
        logger.error({ err: error, queued: this.buffer.length }, 'access log batch not written; retrying');
        return;
      } finally {
        this.writing = [];
      }
      // The batch is in the log: a checkpoint that fails here must not queue it again (it would be logged twice); the
      // next batch or the close writes the checkpoint.
      await this.anchor().catch((error: unknown) => {
        logger.warn({ err: error }, 'access log checkpoint not written; the next batch writes it');
      });
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.anchor().catch((error: unknown) => {
      logger.error({ err: error }, 'access log checkpoint not written at close');
    });
  }

  /**
   * Hands over what is not in the log yet (queued, and a batch being written) and forgets it, for the shutdown to
   * spool (src/services/access-log-spool.ts) when the last flush could not write it.
   */
  takeUnwritten(): AccessEntry[] {
    const unwritten = [...this.writing, ...this.buffer];
    this.writing = [];
    this.buffer = [];
    return unwritten;
  }

  /**
   * Copies the chain's newest checkpoint outside the database: to the service log and to the anchor file (written
   * whole, then renamed). An owner who removes the newest entries and their checkpoints in the table is still caught by
   * `npm run audit:verify` against these.
   */
  private async anchor(): Promise<void> {
    const head = await this.head();
    if (!head || head.hash === this.anchored) return;
    this.anchored = head.hash;
    logger.info({ accessLogAnchor: head }, 'access log checkpoint');
    const file = this.witness.anchorFile;
    if (!file) return;
    const previous = readAnchorFile(file);
    // Several instances may share the file: it keeps the newest position any of them wrote.
    if (previous && previous.chainSeq > head.chainSeq) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(head), { mode: 0o600 });
    fs.renameSync(temporary, file);
  }

  /**
   * Recomputes every MAC in chain order: an altered entry breaks its own MAC, a removed one its successor's link. The
   * chain must start where the last retention purge left it (or at 1) and reach the newest checkpoint, in the table or
   * in `anchors` given from outside the database (the anchor file), with the MAC recorded there.
   */
  async verify({ anchors = [] }: { anchors?: readonly AccessLogAnchor[] } = {}): Promise<VerificationReport> {
    const rows: { chain_seq: string; content_ok: boolean; link_ok: boolean; seq_ok: boolean }[] =
      await this.dataSource.query(
        `SELECT chain_seq,
                access_log_mac(prev_hash, a) = hash AS content_ok,
                (lag(hash) OVER w IS NULL OR lag(hash) OVER w = prev_hash) AS link_ok,
                (lag(chain_seq) OVER w IS NULL OR lag(chain_seq) OVER w = chain_seq - 1) AS seq_ok
           FROM access_log a WINDOW w AS (ORDER BY chain_seq) ORDER BY chain_seq`,
      );
    const broken = rows.flatMap((row) => {
      const problems = [
        row.content_ok ? null : 'content does not match its hash (altered)',
        row.link_ok ? null : 'does not link to the previous entry (altered or removed before it)',
        row.seq_ok ? null : 'chain sequence has a gap (entries removed before it)',
      ].filter((problem): problem is string => problem !== null);
      return problems.map((problem) => ({ chainSeq: Number(row.chain_seq), problem }));
    });
    broken.push(...(await this.checkEnds(anchors)));
    broken.sort((a, b) => a.chainSeq - b.chainSeq);
    return {
      entries: rows.length,
      firstSeq: rows.length > 0 ? Number(rows[0]?.chain_seq) : null,
      lastSeq: rows.length > 0 ? Number(rows.at(-1)?.chain_seq) : null,
      broken,
    };
  }

  /** The chain's two ends against the checkpoints: a removed prefix or tail leaves no broken link inside. */
  private async checkEnds(
    external: readonly AccessLogAnchor[],
  ): Promise<{ chainSeq: number; problem: string }[]> {
    const problems: { chainSeq: number; problem: string }[] = [];
    // The start: the first entry links to the last purged one (a 'retention' checkpoint with a valid MAC), or is 1.
    const [start]: { chain_seq: string | null; start_seq: string; start_hash_ok: boolean | null }[] =
      await this.dataSource.query(
        `WITH retention AS (
           SELECT chain_seq, hash FROM access_log_anchor
            WHERE kind = 'retention' AND mac = access_log_anchor_mac(kind, chain_seq, hash)
            ORDER BY chain_seq DESC LIMIT 1
         ), first AS (SELECT chain_seq, prev_hash FROM access_log ORDER BY chain_seq LIMIT 1)
         SELECT f.chain_seq, coalesce(r.chain_seq, 0) + 1 AS start_seq,
                f.prev_hash = coalesce(r.hash, '\\x'::bytea) AS start_hash_ok
           FROM (SELECT 1) AS one LEFT JOIN first f ON true LEFT JOIN retention r ON true`,
      );
    const startSeq = Number(start?.start_seq ?? 1);
    if (start?.chain_seq != null && (Number(start.chain_seq) !== startSeq || !start.start_hash_ok)) {
      problems.push({
        chainSeq: Number(start.chain_seq),
        problem: `entries before it were removed, not by the retention purge (the log should start at ${start.start_seq})`,
      });
    }
    // The end: the newest checkpoint with a valid MAC, from the table or from outside the database.
    const stored: { chainSeq: string; hash: string; mac: string; macOk: boolean }[] =
      await this.dataSource.query(
        `SELECT chain_seq AS "chainSeq", encode(hash, 'hex') AS hash, encode(mac, 'hex') AS mac,
              mac = access_log_anchor_mac(kind, chain_seq, hash) AS "macOk"
         FROM access_log_anchor WHERE kind = 'head' ORDER BY chain_seq DESC LIMIT 1`,
      );
    const candidates: { chainSeq: number; hash: string; source: string }[] = [];
    for (const row of stored) {
      if (row.macOk)
        candidates.push({ chainSeq: Number(row.chainSeq), hash: row.hash, source: 'checkpoint table' });
      else
        problems.push({
          chainSeq: Number(row.chainSeq),
          problem: 'the newest checkpoint in the table is forged',
        });
    }
    for (const anchor of external) {
      const [check]: { ok: boolean }[] = await this.dataSource.query(
        "SELECT access_log_anchor_mac('head', $1::bigint, decode($2, 'hex')) = decode($3, 'hex') AS ok",
        [anchor.chainSeq, anchor.hash, anchor.mac],
      );
      if (check?.ok) candidates.push({ chainSeq: anchor.chainSeq, hash: anchor.hash, source: 'anchor file' });
      else
        problems.push({
          chainSeq: anchor.chainSeq,
          problem: 'the anchor file does not verify (forged, or another key)',
        });
    }
    const newest = candidates.sort((a, b) => b.chainSeq - a.chainSeq)[0];
    if (!newest) return problems;
    const [at]: { hash: string; last: string | null }[] = await this.dataSource.query(
      `SELECT (SELECT encode(hash, 'hex') FROM access_log WHERE chain_seq = $1) AS hash,
              (SELECT max(chain_seq) FROM access_log) AS last`,
      [newest.chainSeq],
    );
    const last = at?.last == null ? null : Number(at.last);
    if (at?.hash == null) {
      // Purged entries are not missing: the retention checkpoint covers the positions before startSeq.
      if (newest.chainSeq >= startSeq) {
        problems.push({
          chainSeq: (last ?? 0) + 1,
          problem: `entries removed from the end: the log ends at ${last ?? 'nothing'} but the ${newest.source} records position ${newest.chainSeq}`,
        });
      }
    } else if (at.hash !== newest.hash) {
      problems.push({
        chainSeq: newest.chainSeq,
        problem: `does not match the ${newest.source} (altered and re-hashed)`,
      });
    }
    return problems;
  }

  /** The newest checkpoint of the chain (the head after the last write), or undefined while the log is empty. */
  async head(): Promise<AccessLogAnchor | undefined> {
    const [row]: AccessLogAnchor[] = await this.dataSource.query(
      `${ACCESS_LOG_BATCH_MARKER} SELECT chain_seq::int AS "chainSeq", encode(hash, 'hex') AS hash,
              encode(mac, 'hex') AS mac, recorded_at AS "recordedAt"
         FROM access_log_anchor WHERE kind = 'head' ORDER BY chain_seq DESC LIMIT 1`,
    );
    return row;
  }

  /**
   * Kela's onboarding rules: the organisation reviews who used its data. Only entries of the municipalities where
   * the viewer holds the review mandate; a search by person is itself logged before it runs.
   */
  async search(
    viewer: Viewer,
    filter: AccessLogFilter,
    first: number,
    after: string | null | undefined,
    now: Date,
  ) {
    requirePageSize('first', first);
    const before = after ? decodeKeyCursor('after', after, SEQ_KEY)[0] : null;
    const code =
      filter.personalIdentityCode != null
        ? requirePersonalIdentityCode('filter.personalIdentityCode', filter.personalIdentityCode)
        : null;
    if (filter.notificationId != null && !isUuid(filter.notificationId)) {
      throw new BadUserInputError('filter.notificationId', 'not a notification id.');
    }
    if (filter.socialCareNoticeId != null && !isUuid(filter.socialCareNoticeId)) {
      throw new BadUserInputError('filter.socialCareNoticeId', 'not a social-care notice id.');
    }
    const municipalities = municipalitiesFor(viewer, DataContent.ACCESS_LOG);
    // Social-care notices are logged under their recipient: its entries are reviewed by whoever holds the review
    // mandate for every one of its municipalities (a welfare-area mandate, or all of them one by one).
    const reviewed = new Set(municipalities);
    const recipients = new Set<string>();
    for (const municipality of municipalities) {
      const recipient = this.recipients?.recipientOf(municipality)?.id;
      if (recipient && this.recipients?.municipalitiesOfRecipient(recipient).every((c) => reviewed.has(c)))
        recipients.add(recipient);
    }
    const organisations = [...municipalities, ...recipients];
    if (code) {
      await appendAccessLog(
        this.dataSource.manager,
        organisations
          .map((organisation) =>
            entryFor(viewer, now, {
              organisation,
              dataContent: DataContent.ACCESS_LOG,
              operation: 'accessLog:byPerson',
              personalIdentityCodes: [code],
            }),
          )
          .filter((entry): entry is AccessEntry => entry !== undefined),
      );
    }
    const conditions = ['organisation = ANY($1)'];
    const parameters: unknown[] = [organisations];
    const add = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (filter.from) add('occurred_at >= ?', filter.from);
    if (filter.to) add('occurred_at < ?', filter.to);
    if (filter.userId) add('actor_id = ?', filter.userId);
    if (filter.notificationId) add('notification_ids @> ARRAY[?::uuid]', filter.notificationId);
    if (filter.socialCareNoticeId) add('social_care_notice_ids @> ARRAY[?::uuid]', filter.socialCareNoticeId);
    if (code) {
      add(`person_keys @> ARRAY[${personKeySql('?::text')}]`, code);
    }
    const where = conditions.join(' AND ');
    const [count]: { total: string }[] = await this.dataSource.query(
      `SELECT count(*) AS total FROM access_log WHERE ${where}`,
      parameters,
    );
    const pageParameters = [...parameters, before, first + 1];
    const rows: (AccessLogEntry & { chainSeq: string })[] = await this.dataSource.query(
      `SELECT chain_seq AS "chainSeq", chain_seq::text AS id, occurred_at AS "occurredAt", actor_kind AS "actorKind",
              actor_id AS "actorId", organisation, data_content AS "dataContent", purpose, operation,
              notification_ids AS "notificationIds", list_ids AS "listIds",
              social_care_notice_ids AS "socialCareNoticeIds"
         FROM access_log
        WHERE ${where} AND ($${parameters.length + 1}::bigint IS NULL OR chain_seq < $${parameters.length + 1})
        ORDER BY chain_seq DESC LIMIT $${parameters.length + 2}`,
      pageParameters,
    );
    const edges = rows
      .slice(0, first)
      .map((node) => ({ cursor: encodeKeyCursor([Number(node.chainSeq)]), node }));
    return {
      edges,
      totalCount: Number(count?.total ?? 0),
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

/**
 * Retention: deletes entries older than `years`, through access_log_purge (SECURITY DEFINER, owned by the database
 * owner: the application role has no DELETE of its own). The owner's floor (access_log_policy) wins over a shorter
 * `years`, and a future `now` counts as the database's now.
 */
export async function purgeAccessLog(dataSource: DataSource, now: Date, years: number): Promise<number> {
  const [row]: { removed: string }[] = await dataSource.query(
    'SELECT access_log_purge($1::timestamptz, $2::int) AS removed',
    [now, years],
  );
  return Number(row?.removed ?? 0);
}
