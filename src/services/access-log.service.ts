import type { DataSource, EntityManager } from 'typeorm';
import { type AccessGrant, municipalitiesFor, type Viewer } from '../auth/viewer';
import { ACCESS_LOG_BATCH_MARKER } from '../db/data-source';
import { decodeKeyCursor, encodeKeyCursor } from '../domain/cursor';
import { DataContent } from '../domain/enums';
import { BadUserInputError } from '../domain/errors';
import { isUuid, requirePageSize, requirePersonalIdentityCode } from '../domain/validation';
import { logger } from '../logger';
import type { AccessLogEntry, AccessLogFilter } from '../resolvers/types/access-log.types';

/** An entry's position: its chain sequence (bigint). */
const SEQ_KEY = ['int8'] as const;

/** One access to personal data: ids of what was returned or changed, never the data itself. */
export interface AccessEntry {
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  /** The municipality on whose data the access was (the organisation that must be able to review it). */
  organisation: string | null;
  dataContent: string | null;
  /** The mandate issue or agreement the access rested on. */
  purpose: string | null;
  operation: string;
  notificationIds?: string[];
  listIds?: string[];
  /** Identity codes searched for or returned; stored only as salted hashes, so the log can be searched by person. */
  personalIdentityCodes?: string[];
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
 * Appends entries in one statement. Person keys are computed in SQL with the ledger's salt; notification ids also
 * bring the keys of their persons, so that a review by person finds reads of that person's notifications.
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
     WITH salt AS (SELECT value FROM app_setting WHERE key = 'ledger_salt'),
     incoming AS (
       SELECT e.*
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (
           "occurredAt" timestamptz, "actorKind" text, "actorId" text, organisation text, "dataContent" text,
           purpose text, operation text, "notificationIds" uuid[], "listIds" uuid[], "personalIdentityCodes" text[]))
           WITH ORDINALITY AS e
     )
     INSERT INTO access_log (occurred_at, actor_kind, actor_id, organisation, data_content, purpose, operation,
                             notification_ids, list_ids, person_keys, chain_seq, prev_hash, hash)
     SELECT i."occurredAt", i."actorKind", i."actorId", i.organisation, i."dataContent", i.purpose, i.operation,
            coalesce(i."notificationIds", '{}'), coalesce(i."listIds", '{}'),
            ARRAY(SELECT DISTINCT sha256(convert_to((SELECT value FROM salt) || code, 'UTF8'))
                    FROM (SELECT unnest(coalesce(i."personalIdentityCodes", '{}')) AS code
                          UNION
                          SELECT p.personal_identity_code FROM notification n JOIN person p ON p.id = n.person_id
                           WHERE n.id = ANY(coalesce(i."notificationIds", '{}'))) AS codes),
            0, '', ''
       FROM incoming i ORDER BY i.ordinality`,
    [JSON.stringify(entries)],
  );
}

export interface VerificationReport {
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Chain positions whose content, link or sequence does not verify. */
  broken: { chainSeq: number; problem: string }[];
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: { flushIntervalMs: number; maxBatch: number } = {
      flushIntervalMs: 200,
      maxBatch: 500,
    },
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
      } finally {
        this.writing = [];
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
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

  /** Recomputes every hash in chain order: an altered entry breaks its own hash, a removed one its successor's link. */
  async verify(): Promise<VerificationReport> {
    const rows: { chain_seq: string; content_ok: boolean; link_ok: boolean; seq_ok: boolean }[] =
      await this.dataSource.query(
        `SELECT chain_seq,
                access_log_hash(prev_hash, a) = hash AS content_ok,
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
    return {
      entries: rows.length,
      firstSeq: rows.length > 0 ? Number(rows[0]?.chain_seq) : null,
      lastSeq: rows.length > 0 ? Number(rows.at(-1)?.chain_seq) : null,
      broken,
    };
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
    const organisations = municipalitiesFor(viewer, DataContent.ACCESS_LOG);
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
    if (code) {
      add(
        "person_keys @> ARRAY[sha256(convert_to((SELECT value FROM app_setting WHERE key = 'ledger_salt') || ?, 'UTF8'))]",
        code,
      );
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
              notification_ids AS "notificationIds", list_ids AS "listIds"
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

/** Retention: deletes entries older than `years`; the only deletion the table's trigger lets through. */
export function purgeAccessLog(dataSource: DataSource, now: Date, years: number): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await manager.query("SET LOCAL kelmu.access_log_retention = 'on'");
    const [row]: { removed: string }[] = await manager.query(
      // Only a prefix of the chain goes, so what remains still verifies: chain order is not quite time order, because
      // batched reads are written after changes made meanwhile.
      `WITH keep_from AS (
         SELECT coalesce(min(chain_seq), (SELECT max(chain_seq) + 1 FROM access_log)) AS seq
           FROM access_log WHERE occurred_at >= $1::timestamptz - make_interval(years => $2::int)
       ), removed AS (
         DELETE FROM access_log WHERE chain_seq < (SELECT seq FROM keep_from) RETURNING 1
       )
       SELECT count(*) AS removed FROM removed`,
      [now, years],
    );
    return Number(row?.removed ?? 0);
  });
}
