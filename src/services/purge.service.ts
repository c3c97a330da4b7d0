import type { DataSource } from 'typeorm';
import { deleteOrphanPersons } from '../db/persons';
import type { Clock } from '../domain/clock';
import { expiredSql, removalThreshold } from '../domain/notification-rules';
import { purgeAccessLog } from './access-log.service';
import { SYSTEM_ACTORS } from './audit.service';

/** Years the access log keeps its entries unless configured otherwise (ACCESS_LOG_RETENTION_YEARS). */
const DEFAULT_ACCESS_LOG_RETENTION_YEARS = 5;

/**
 * Kela: notifications in processing are deleted automatically once pending over 30 days (NEW ones never), and
 * child home care allowance lists disappear 24 months after generation; access log entries go after their retention.
 */
export class PurgeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    /** Access log retention (config.accessLogRetentionYears): organisations' own rules may ask for more. */
    private readonly accessLogRetentionYears = DEFAULT_ACCESS_LOG_RETENTION_YEARS,
  ) {}

  /** Deletes expired in-processing notifications with an audit row each; returns how many went. */
  async purgeExpired(now: Date = this.clock.now()): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const removed: { person_id: string }[] = await manager.query(
        `WITH removed AS (
           DELETE FROM notification
            WHERE ${expiredSql('$1')}
           RETURNING id, person_id, municipality_code, status
         ), audited AS (
           INSERT INTO audit_event (occurred_at, actor_kind, actor_id, organisation, action, notification_id, from_status, reason)
           SELECT $2, $3, $4, municipality_code, 'PURGE_EXPIRED', id, status, 'In processing and pending over 30 days'
             FROM removed
         )
         SELECT person_id FROM removed`,
        [removalThreshold(now), now, SYSTEM_ACTORS.purge.kind, SYSTEM_ACTORS.purge.id],
      );
      await deleteOrphanPersons(
        manager,
        removed.map((row) => row.person_id),
      );
      return removed.length;
    });
  }

  /** Deletes child home care allowance lists past their 24 months (rows go with them), with an audit row each. */
  async purgeExpiredLists(now: Date = this.clock.now()): Promise<number> {
    const [row]: { removed: string }[] = await this.dataSource.query(
      `WITH removed AS (
         DELETE FROM home_care_allowance_list WHERE expires_at <= $1 RETURNING id, municipality_code, month
       ), audited AS (
         INSERT INTO audit_event (occurred_at, actor_kind, actor_id, organisation, action, list_id, details)
         SELECT $1, $2, $3, municipality_code, 'PURGE_EXPIRED_HOME_CARE_ALLOWANCE_LISTS', id,
                jsonb_build_object('month', to_char(month, 'YYYY-MM'))
           FROM removed
       )
       SELECT count(*) AS removed FROM removed`,
      [now, SYSTEM_ACTORS.purge.kind, SYSTEM_ACTORS.purge.id],
    );
    return Number(row?.removed ?? 0);
  }

  /**
   * The daily purge: the three rules (notifications, lists, access log), each in its own transaction, all as of one
   * reading of the clock.
   */
  async purgeAll(now: Date = this.clock.now()): Promise<{
    notifications: number;
    homeCareAllowanceLists: number;
    accessLogEntries: number;
  }> {
    return {
      notifications: await this.purgeExpired(now),
      homeCareAllowanceLists: await this.purgeExpiredLists(now),
      accessLogEntries: await purgeAccessLog(this.dataSource, now, this.accessLogRetentionYears),
    };
  }
}
