import type { JobHelpers, TaskList } from 'graphile-worker';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { type Clock, finnishDate, systemClock } from '../domain/clock';
import { isCalendarDate } from '../domain/validation';
import { HomeCareAllowanceGenerationService } from '../services/home-care-allowance/home-care-allowance-generation.service';
import {
  DEFAULT_ELIGIBILITY,
  type EligibilityRule,
  ImmigrantNotificationRunService,
} from '../services/immigrant-notification-run.service';
import { PurgeService } from '../services/purge.service';
import { SocialCareNoticeRunService } from '../services/social-care-notice-run.service';
import {
  WEBHOOK_DELIVERY_TASK,
  WebhookDeliveryService,
  WebhookDispatchService,
} from '../services/webhooks/webhook-dispatch.service';
import { isHelsinkiSlot, TASKS } from './schedule';

export interface TaskDependencies {
  dataSource: DataSource;
  logger: Logger;
  /** Thresholds of the weekly run (config.eligibility). */
  eligibility?: EligibilityRule;
  /** Years the daily purge keeps access log entries (config.accessLogRetentionYears; default 5). */
  accessLogRetentionYears?: number;
  /** Days the daily purge keeps social-care notices (config.socialCareNoticeRetentionDays). */
  socialCareNoticeRetentionDays?: number;
  clock?: Clock;
}

/**
 * A job's payload. Enqueued by hand: `{ asOf? }`. From the crontab: `{ at, _cron: { ts, backfilled } }`, where `at`
 * is the slot's Helsinki time (see schedule.ts) and `_cron.ts` the instant it was scheduled for.
 */
const payloadSchema = z.object({
  asOf: z.string().refine(isCalendarDate, 'asOf must be a date YYYY-MM-DD').optional(),
  at: z
    .string()
    .regex(/^\d{2}:\d{2}$/)
    .optional(),
  _cron: z.object({ ts: z.iso.datetime({ offset: true }), backfilled: z.boolean().optional() }).optional(),
});

type Run = (asOf: string, log: Logger) => Promise<void>;

/**
 * Wraps a run: parses the payload, skips the crontab copy of a slot that is not at its Helsinki time, and works out
 * the Finnish date the job is for (its `asOf`, else the date of its slot, else today).
 */
function task(deps: TaskDependencies, run: Run) {
  const clock = deps.clock ?? systemClock;
  return async (payload: unknown, helpers: JobHelpers): Promise<void> => {
    const { job } = helpers;
    const log = deps.logger.child({
      task: job.task_identifier,
      jobId: job.id,
      ...(job.key ? { jobKey: job.key } : {}),
      attempt: job.attempts,
    });
    const parsed = payloadSchema.safeParse(payload ?? {});
    if (!parsed.success) {
      // Retrying cannot fix a payload: fail loudly (the job keeps the message in last_error).
      throw new Error(`Invalid payload: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    }
    const { asOf, at, _cron: cron } = parsed.data;
    const scheduledAt = cron ? new Date(cron.ts) : undefined;
    if (at && scheduledAt && !isHelsinkiSlot(at, scheduledAt)) {
      log.debug(
        { at, scheduledAt },
        'not this slot: it is the other half of the year’s copy of the schedule',
      );
      return;
    }
    const date = asOf ?? finnishDate(scheduledAt ?? clock.now());
    log.info({ asOf: date, scheduledAt, backfilled: cron?.backfilled ?? false }, 'job started');
    await run(date, log);
  };
}

/** The worker's tasks. Each builds its service from the DataSource and logs counts only, never personal data. */
export function createTaskList(deps: TaskDependencies): TaskList {
  const clock = deps.clock ?? systemClock;
  return {
    [TASKS.immigrantNotifications]: task(deps, async (asOf, log) => {
      const started = performance.now();
      const result = await new ImmigrantNotificationRunService(
        deps.dataSource,
        deps.eligibility ?? DEFAULT_ELIGIBILITY,
      ).run(asOf, clock.now());
      log.info(
        { asOf, created: result.created, ms: Math.round(performance.now() - started) },
        'weekly immigrant notification run finished',
      );
    }),

    [TASKS.socialCareNotices]: task(deps, async (asOf, log) => {
      const started = performance.now();
      const result = await new SocialCareNoticeRunService(
        deps.dataSource,
        deps.eligibility ?? DEFAULT_ELIGIBILITY,
      ).run(asOf, clock.now());
      log.info(
        { asOf, created: result.createdByKind, ms: Math.round(performance.now() - started) },
        'daily social-care notice run finished',
      );
    }),

    [TASKS.homeCareAllowanceLists]: task(deps, async (asOf, log) => {
      const result = await new HomeCareAllowanceGenerationService(deps.dataSource).generateMonth(
        asOf,
        clock.now(),
      );
      log.info(
        { asOf, ...result },
        result.due
          ? 'child home care allowance lists generated'
          : 'child home care allowance lists not due yet',
      );
    }),

    [TASKS.purge]: task(deps, async (_asOf, log) => {
      const removed = await new PurgeService(
        deps.dataSource,
        clock,
        deps.accessLogRetentionYears,
        deps.socialCareNoticeRetentionDays,
      ).purgeAll();
      log.info(removed, 'purged expired notifications, lists, social-care notices and access log entries');
    }),

    ...webhookTasks(deps, clock),
  };
}

const deliveryPayload = z.object({ deliveryId: z.uuid() });

/** Webhooks (issue 14): not per date like the runs above, so without `task()`'s slot handling. */
function webhookTasks(deps: TaskDependencies, clock: Clock): TaskList {
  return {
    [TASKS.webhooksDispatch]: async (_payload, helpers) => {
      const result = await new WebhookDispatchService(deps.dataSource).dispatch(clock.now());
      if (result.events > 0 || result.visibleNoticeEvents > 0) {
        deps.logger.info(
          { task: helpers.job.task_identifier, jobId: helpers.job.id, ...result },
          'webhook events dispatched',
        );
      }
    },

    [WEBHOOK_DELIVERY_TASK]: async (payload, helpers) => {
      const parsed = deliveryPayload.safeParse(payload);
      if (!parsed.success) throw new Error('Invalid payload: deliveryId must be a uuid');
      const { job } = helpers;
      const outcome = await new WebhookDeliveryService(deps.dataSource).deliver(
        parsed.data.deliveryId,
        job.attempts,
        job.max_attempts,
      );
      const log = deps.logger.child({ task: job.task_identifier, jobId: job.id, attempt: job.attempts });
      // Only ids and the outcome: the receiver's URL is the partner's business, its answer may quote anything.
      if (outcome === 'retry') {
        log.warn({ deliveryId: parsed.data.deliveryId }, 'webhook delivery failed; retried later');
        // graphile-worker retries a job that throws, after exp(attempts) seconds.
        throw new Error('webhook delivery failed');
      }
      if (outcome === 'failed')
        log.error({ deliveryId: parsed.data.deliveryId }, 'webhook delivery given up');
      else log.debug({ deliveryId: parsed.data.deliveryId, outcome }, 'webhook delivery');
    },
  };
}
