import { createHmac, randomBytes } from 'node:crypto';
import { DataContent } from './enums';

/**
 * The webhook event types (issue 14; the names are a contract) and the data content an agreement must cover for a
 * partner to receive each: an event names only ids, but even that tells which municipality got new data.
 */
export const WEBHOOK_EVENT_CONTENTS = {
  'notification.created': DataContent.INTEGRATION_SERVICES,
  'notification.transferred': DataContent.INTEGRATION_SERVICES,
  'home_care_allowance_list.created': DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE,
  'social_care_notice.visible': DataContent.SOCIAL_ASSISTANCE,
} as const satisfies Record<string, DataContent>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_CONTENTS;

export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENT_CONTENTS) as WebhookEventType[];

export function isWebhookEventType(name: string): name is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENT_CONTENTS, name);
}

/** Ids per event at most: a weekly run of thousands of notifications becomes several events of a bounded size. */
export const MAX_IDS_PER_EVENT = 1000;

/**
 * Delivery attempts before a delivery is given up. graphile-worker waits exp(min(attempt, 10)) seconds after a
 * failed attempt: 3 s, 7 s, 20 s, 55 s, 2.5 min, 7 min, 18 min, 50 min, 2.3 h, 6.1 h, 6.1 h, so twelve attempts span
 * about 16 hours, enough for a receiver down overnight.
 */
export const WEBHOOK_MAX_ATTEMPTS = 12;

/** A partner's receiver gets this long to answer; a slow one must not hold its queue for long. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Days a dispatched event and its finished deliveries stay visible to the partner (viewer.webhookDeliveries) before
 * the daily purge removes them; the outbox holds ids only, but it must not grow without bound.
 */
export const WEBHOOK_HISTORY_DAYS = 30;

/** graphile-worker's wait after the `attempt`th failure (its fail_job: exp(least(attempts, 10)) seconds). */
export function retryDelayMs(attempt: number): number {
  return Math.round(Math.exp(Math.min(attempt, 10)) * 1000);
}

/** Loopback hosts, where plain HTTP is allowed for development. */
function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Why a receiver URL is refused, or null when it is acceptable: HTTPS, or plain HTTP to loopback only (issue 14),
 * and no credentials in the URL (they would be printed by `list` and logged).
 */
export function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${text} is not a URL`;
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return isLoopback(url.hostname)
      ? null
      : 'plain http is allowed only to loopback (127.0.0.0/8, ::1, localhost); use https';
  }
  return `must be https (got ${url.protocol.replace(/:$/, '')})`;
}

/** A new endpoint secret as the Standard Webhooks libraries expect it: `whsec_` and base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Standard Webhooks' signature: base64 of HMAC-SHA256 over `${id}.${timestamp}.${body}`, keyed with the base64-decoded
 * part of the secret after `whsec_`; sent as `webhook-signature: v1,<signature>`.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${signature}`;
}
