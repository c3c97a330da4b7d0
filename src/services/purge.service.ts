import type { DataSource } from 'typeorm';
import { deleteOrphanPersons } from '../db/persons';
import type { Clock } from '../domain/clock';
import { expiredSql, removalThreshold } from '../domain/notification-rules';
import { DEFAULT_SOCIAL_CARE_NOTICE_RETENTION_DAYS } from '../domain/social-care';
import { WEBHOOK_HISTORY_DAYS } from '../domain/webhooks';
import { purgeAccessLog } from './access-log.service';
import { SYSTEM_ACTORS } from './audit.service';

/** Years the access log keeps its entries unless configured otherwise (ACCESS_LOG_RETENTION_YEARS). */
const DEFAULT_ACCESS_LOG_RETENTION_YEARS = 5;
const DAY_MS = 86_400_000;

/**
 * Kela: notifications in processing are deleted automatically once pending over 30 days (NEW ones never), and
 * child home care allowance lists disappear 24 months after generation; access log entries go after their retention.
 * Kela's page does not say how long social-care notices stay: they go a configured number of days after they became
 * visible (SOCIAL_CARE_NOTICE_RETENTION_DAYS, to be confirmed against Kela's instructions for welfare areas).
 */
export class PurgeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    /** Access log retention (config.accessLogRetentionYears): organisations' own rules may ask for more. */
    private readonly accessLogRetentionYears = DEFAULT_ACCESS_LOG_RETENTION_YEARS,
    /** Social-care notice retention in days from visibleFrom (config.socialCareNoticeRetentionDays). */
    private readonly socialCareNoticeRetentionDays = DEFAULT_SOCIAL_CARE_NOTICE_RETENTION_DAYS,
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
   * Deletes the social-care notices that became visible `socialCareNoticeRetentionDays` days ago or earlier (their
   * transfers go with them), with an audit row each, and the persons no notice or notification needs any more. The
   * ledger stays, so the daily run does not notify the same episode again.
   */
  async purgeExpiredSocialCareNotices(now: Date = this.clock.now()): Promise<number> {
    const threshold = new Date(now.getTime() - this.socialCareNoticeRetentionDays * DAY_MS);
    return this.dataSource.transaction(async (manager) => {
      const removed: { person_id: string }[] = await manager.query(
        `WITH removed AS (
           DELETE FROM social_care_notice WHERE visible_from <= $1
           RETURNING id, person_id, municipality_code, kind
         ), audited AS (
           INSERT INTO audit_event (occurred_at, actor_kind, actor_id, organisation, action, social_care_notice_id,
                                    reason, details)
           SELECT $2, $3, $4, municipality_code, 'PURGE_EXPIRED_SOCIAL_CARE_NOTICES', id,
                  'Visible over ' || $5::int || ' days', jsonb_build_object('kind', kind)
             FROM removed
         )
         SELECT person_id FROM removed`,
        [
          threshold,
          now,
          SYSTEM_ACTORS.purge.kind,
          SYSTEM_ACTORS.purge.id,
          this.socialCareNoticeRetentionDays,
        ],
      );
      await deleteOrphanPersons(manager, [...new Set(removed.map((row) => row.person_id))]);
      return removed.length;
    });
  }

  /**
   * The daily purge: the four rules (notifications, lists, social-care notices, access log), each in its own
   * transaction, all as of one reading of the clock.
   */
  /**
   * Deletes webhook events dispatched over WEBHOOK_HISTORY_DAYS ago whose deliveries have all finished (delivered,
   * failed or cancelled); their deliveries go with them. Events still waiting for a delivery are kept.
   */
  async purgeWebhookHistory(now: Date = this.clock.now()): Promise<number> {
    const [row]: { removed: string }[] = await this.dataSource.query(
      `WITH removed AS (
         DELETE FROM webhook_event e
          WHERE e.dispatched_at < $1
            AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.event_id = e.id AND d.status = 'PENDING')
         RETURNING e.id
       )
       SELECT count(*) AS removed FROM removed`,
      [new Date(now.getTime() - WEBHOOK_HISTORY_DAYS * DAY_MS)],
    );
    return Number(row?.removed ?? 0);
  }

  async purgeAll(now: Date = this.clock.now()): Promise<{
    notifications: number;
    homeCareAllowanceLists: number;
    socialCareNotices: number;
    accessLogEntries: number;
    webhookEvents: number;
  }> {
    return {
      notifications: await this.purgeExpired(now),
      homeCareAllowanceLists: await this.purgeExpiredLists(now),
      socialCareNotices: await this.purgeExpiredSocialCareNotices(now),
      accessLogEntries: await purgeAccessLog(this.dataSource, now, this.accessLogRetentionYears),
      webhookEvents: await this.purgeWebhookHistory(now),
    };
  }
}
