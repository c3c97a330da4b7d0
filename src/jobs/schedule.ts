/**
 * When the periodic jobs run: graphile-worker's crontab.
 *
 * Time zone. graphile-worker 0.16 matches crontab lines against UTC (its cron digests timestamps with
 * `getUTCHours()` and friends), whatever the machine's TZ or PostgreSQL's TimeZone. Kela's schedule is Finnish time,
 * and Finland moves between UTC+2 (EET, winter) and UTC+3 (EEST, summer). So each slot is written twice: once at the
 * UTC time that is its Helsinki time in winter and once at the one for summer, with the Helsinki time in the payload
 * (`at`). The task runs only the copy whose scheduled instant (`_cron.ts`) really is that time in Helsinki
 * (`isHelsinkiSlot`) and logs the other as skipped. That keeps the Finnish wall-clock time all year without
 * depending on any machine's time zone; test/jobs.test.ts walks a whole year to prove each slot fires once a day (or
 * once a Monday) at its Helsinki time. None of the slots falls in the hour that DST skips or repeats (03:00–04:00 on
 * the last Sundays of March and October).
 *
 * The date a job works for is the Finnish date of its slot, not of the moment it runs: a job that waited in the queue
 * or was backfilled after an outage does the work of the day it was due (this matters for the monthly lists, whose
 * last weekday may have passed by the time the worker is back).
 *
 * Several workers: `?id=` names each line, and graphile-worker records in `_private_known_crontabs` which slot of
 * which identifier has been scheduled, so however many workers run this crontab each slot becomes one job. `?fill=`
 * backfills slots missed while no worker ran (only since the identifier was first seen); every task here is
 * idempotent, so a backfilled or repeated job changes nothing that was already done:
 * - the weekly run keeps a ledger of who was notified (a week back: the next Monday covers the rest);
 * - the daily social-care run keeps a ledger of each person's notified kinds and episodes (a week back);
 * - the lists are keyed by municipality and month (a week back, so a last weekday missed during a long weekend or
 *   a short outage is still generated for its month);
 * - the purge only removes what is due (a day back is enough: every run purges everything that is due by then).
 */

/** graphile-worker task identifiers. */
export const TASKS = {
  immigrantNotifications: 'immigrant_notifications',
  homeCareAllowanceLists: 'home_care_allowance_lists',
  purge: 'purge',
  socialCareNotices: 'social_care_notices',
  // Webhooks (issue 14): recorded events become deliveries; each delivery is its own job (webhook_delivery, named
  // by the service that enqueues it in SQL).
  webhooksDispatch: 'webhooks_dispatch',
} as const;

export type TaskName = (typeof TASKS)[keyof typeof TASKS];

export const CRONTAB = `
# Kela's weekly immigrant run, Mondays 03:00 in Helsinki: 01:00 UTC in winter, 00:00 UTC in summer.
0 1 * * 1 immigrant_notifications ?id=weekly_immigrant_notifications_eet&fill=7d {at:"03:00"}
0 0 * * 1 immigrant_notifications ?id=weekly_immigrant_notifications_eest&fill=7d {at:"03:00"}
# Child home care allowance lists, checked daily at 02:30 in Helsinki (the task does nothing before the month's last
# weekday): 00:30 UTC in winter, 23:30 UTC the evening before in summer.
30 0 * * * home_care_allowance_lists ?id=daily_home_care_allowance_lists_eet&fill=7d {at:"02:30"}
30 23 * * * home_care_allowance_lists ?id=daily_home_care_allowance_lists_eest&fill=7d {at:"02:30"}
# Kela's daily social-care run, 02:00 in Helsinki: 00:00 UTC in winter, 23:00 UTC the evening before in summer.
0 0 * * * social_care_notices ?id=daily_social_care_notices_eet&fill=7d {at:"02:00"}
0 23 * * * social_care_notices ?id=daily_social_care_notices_eest&fill=7d {at:"02:00"}
# The purge (30-day rule, 24-month list retention), daily at 01:00 in Helsinki: 23:00 or 22:00 UTC the evening before.
0 23 * * * purge ?id=daily_purge_eet&fill=1d {at:"01:00"}
0 22 * * * purge ?id=daily_purge_eest&fill=1d {at:"01:00"}
`;

/**
 * Webhooks (issue 14): recorded events become deliveries every minute, whatever the time zone. No backfill: the outbox
 * keeps whatever a missed minute left, and the next run takes it.
 */
export const WEBHOOK_CRONTAB = `
* * * * * webhooks_dispatch ?id=webhooks_dispatch
`;

const helsinkiClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Helsinki',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The wall-clock time in Helsinki at an instant, as HH:MM. */
export function helsinkiTime(instant: Date): string {
  return helsinkiClock.format(instant);
}

/** Whether a crontab line that fired at `scheduledAt` is the copy whose instant is `at` (HH:MM) in Helsinki. */
export function isHelsinkiSlot(at: string, scheduledAt: Date): boolean {
  return helsinkiTime(scheduledAt) === at;
}
