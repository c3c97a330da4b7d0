import type { DataSource, EntityManager } from 'typeorm';
import { finnishDate } from '../../domain/clock';
import {
  MAX_IDS_PER_EVENT,
  retryDelayMs,
  signWebhook,
  WEBHOOK_EVENT_CONTENTS,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_TIMEOUT_MS,
} from '../../domain/webhooks';

/** The graphile-worker task that delivers one webhook (src/jobs/schedule.ts names it too). */
export const WEBHOOK_DELIVERY_TASK = 'webhook_delivery';

/** Where the social-care visibility watermark is kept (the migration starts it at its own time). */
const VISIBLE_UNTIL = 'webhooks.social_care_visible_until';

/** Events fanned out per run at most; a backlog is worked off by the following runs. */
const EVENTS_PER_RUN = 5000;

export interface DispatchResult {
  visibleNoticeEvents: number;
  events: number;
  deliveries: number;
}

/**
 * Turns recorded events into deliveries (issue 14), in one transaction: the notices that became visible since the
 * last run become events; every undispatched event becomes a delivery for each endpoint that subscribed to its type
 * and whose client has an agreement in force covering the event's municipality and data content; each delivery
 * becomes a job in the endpoint's own queue, so that an endpoint receives its events one at a time, in order.
 * Enqueued with graphile-worker's SQL function in the same transaction: a delivery without its job, or a job without
 * its delivery, cannot happen. Runs inside the worker only, where graphile-worker's schema exists.
 */
export class WebhookDispatchService {
  constructor(private readonly dataSource: DataSource) {}

  dispatch(now: Date): Promise<DispatchResult> {
    return this.dataSource.transaction(async (manager) => {
      const visibleNoticeEvents = await this.recordVisibleNotices(manager, now);
      const events: { id: string }[] = await manager.query(
        `SELECT id FROM webhook_event WHERE dispatched_at IS NULL
          ORDER BY occurred_at, id LIMIT ${EVENTS_PER_RUN} FOR UPDATE SKIP LOCKED`,
      );
      if (events.length === 0) return { visibleNoticeEvents, events: 0, deliveries: 0 };
      const ids = events.map((event) => event.id);
      const types = Object.keys(WEBHOOK_EVENT_CONTENTS);
      const contents = Object.values(WEBHOOK_EVENT_CONTENTS);
      const [counted]: { deliveries: number }[] = await manager.query(
        `WITH content (type, data_content) AS (SELECT * FROM unnest($2::text[], $3::text[])),
         created AS (
           INSERT INTO webhook_delivery (endpoint_id, event_id)
           SELECT e.id, ev.id
             FROM webhook_event ev
             JOIN content c ON c.type = ev.type
             JOIN webhook_endpoint e ON e.disabled_at IS NULL AND ev.type = ANY (e.events)
            WHERE ev.id = ANY ($1::uuid[])
              AND EXISTS (SELECT 1 FROM partner_agreement a
                           WHERE a.client_id = e.client_id AND a.ended_at IS NULL
                             AND a.valid_from <= $4::date AND (a.valid_to IS NULL OR a.valid_to >= $4::date)
                             AND ev.municipality_code = ANY (a.municipality_codes)
                             AND c.data_content = ANY (a.data_contents))
           ON CONFLICT ON CONSTRAINT webhook_delivery_once DO NOTHING
           RETURNING id, endpoint_id, event_id
         ), jobs AS (
           -- In the events' order, so that each endpoint's queue runs them in that order.
           SELECT graphile_worker.add_job(
                    '${WEBHOOK_DELIVERY_TASK}', json_build_object('deliveryId', d.id),
                    queue_name => 'webhook:' || d.endpoint_id, max_attempts => ${WEBHOOK_MAX_ATTEMPTS},
                    job_key => 'webhook_delivery:' || d.id)
             FROM (SELECT d.id, d.endpoint_id FROM created d JOIN webhook_event ev ON ev.id = d.event_id
                    ORDER BY ev.occurred_at, ev.id, d.endpoint_id) d
         )
         SELECT count(*)::int AS deliveries FROM jobs`,
        [ids, types, contents, finnishDate(now)],
      );
      await manager.query('UPDATE webhook_event SET dispatched_at = $2 WHERE id = ANY ($1::uuid[])', [
        ids,
        now,
      ]);
      return { visibleNoticeEvents, events: ids.length, deliveries: counted?.deliveries ?? 0 };
    });
  }

  /** Notices whose visible_from passed since the watermark (notices visible on insert have their trigger). */
  private async recordVisibleNotices(manager: EntityManager, now: Date): Promise<number> {
    const [setting]: { value: string }[] = await manager.query(
      'SELECT value FROM app_setting WHERE key = $1 FOR UPDATE',
      [VISIBLE_UNTIL],
    );
    const since = setting ? new Date(setting.value) : now;
    if (since >= now) {
      if (!setting) await this.saveWatermark(manager, now);
      return 0;
    }
    const [recorded]: { count: number }[] = await manager.query(
      `WITH visible AS (
         SELECT id, kind, municipality_code, visible_from,
                (row_number() OVER (PARTITION BY municipality_code ORDER BY visible_from, id) - 1)
                  / ${MAX_IDS_PER_EVENT} AS chunk
           FROM social_care_notice
          WHERE visible_from > $1 AND visible_from <= $2
       ), recorded AS (
         INSERT INTO webhook_event (type, municipality_code, data, occurred_at)
         SELECT 'social_care_notice.visible', municipality_code,
                jsonb_build_object('ids', jsonb_agg(id ORDER BY visible_from, id), 'municipalityCode', municipality_code,
                                   'kinds', jsonb_agg(DISTINCT kind)),
                max(visible_from)
           FROM visible GROUP BY municipality_code, chunk
         RETURNING 1
       )
       SELECT count(*)::int AS count FROM recorded`,
      [since, now],
    );
    await this.saveWatermark(manager, now);
    return recorded?.count ?? 0;
  }

  private async saveWatermark(manager: EntityManager, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO app_setting (key, value, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [VISIBLE_UNTIL, now.toISOString()],
    );
  }
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

/**
 * Sends one delivery (issue 14, Standard Webhooks): a POST of `{ type, timestamp, data }` with `webhook-id` (the
 * event's id, the same on every attempt and for every endpoint, so that a receiver can drop repeats),
 * `webhook-timestamp` and `webhook-signature`. A 2xx answer is delivered; anything else, a redirect included, is a
 * failure that the job queue retries with its exponential backoff until the last attempt, which gives up.
 */
export class WebhookDeliveryService {
  constructor(private readonly dataSource: DataSource) {}

  async deliver(deliveryId: string, attempt: number, maxAttempts: number): Promise<DeliveryOutcome> {
    const [delivery]: {
      status: string;
      url: string;
      secret: string;
      disabled: boolean;
      eventId: string;
      type: string;
      occurredAt: Date;
      data: Record<string, unknown>;
    }[] = await this.dataSource.query(
      `SELECT d.status, e.url, e.secret, e.disabled_at IS NOT NULL AS disabled, ev.id AS "eventId", ev.type,
              ev.occurred_at AS "occurredAt", ev.data
         FROM webhook_delivery d
         JOIN webhook_endpoint e ON e.id = d.endpoint_id
         JOIN webhook_event ev ON ev.id = d.event_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    if (delivery?.status !== 'PENDING') return 'skipped';
    if (delivery.disabled) {
      await this.dataSource.query(
        "UPDATE webhook_delivery SET status = 'CANCELLED', next_attempt_at = NULL WHERE id = $1",
        [deliveryId],
      );
      return 'skipped';
    }
    const body = JSON.stringify({
      type: delivery.type,
      timestamp: new Date(delivery.occurredAt).toISOString(),
      data: delivery.data,
    });
    // The transport's time, not the service clock: receivers compare it with their own clocks (replay protection).
    const timestamp = Math.floor(Date.now() / 1000);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kelmu-graphql-webhooks',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(delivery.secret, delivery.eventId, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      statusCode = response.status;
      // The receiver's body may quote anything; it is neither stored nor logged.
      await response.body?.cancel().catch(() => {});
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (thrown) {
      const cause = (thrown as { cause?: { code?: string; message?: string } }).cause;
      error =
        (thrown as Error).name === 'TimeoutError'
          ? `no answer in ${WEBHOOK_TIMEOUT_MS / 1000} s`
          : (cause?.code ?? cause?.message ?? (thrown as Error).message);
    }
    const outcome: DeliveryOutcome =
      error === null ? 'delivered' : attempt >= maxAttempts ? 'failed' : 'retry';
    await this.dataSource.query(
      `UPDATE webhook_delivery
          SET attempts = $2, last_status_code = $3, last_error = left($4, 1000),
              status = CASE $5 WHEN 'delivered' THEN 'DELIVERED' WHEN 'failed' THEN 'FAILED' ELSE 'PENDING' END,
              delivered_at = CASE WHEN $5 = 'delivered' THEN now() END,
              next_attempt_at = CASE WHEN $5 = 'retry' THEN now() + $6 * interval '1 millisecond' END
        WHERE id = $1 AND status = 'PENDING'`,
      [deliveryId, attempt, statusCode, error, outcome, retryDelayMs(attempt)],
    );
    return outcome;
  }
}
