import { Client, type ClientConfig, type Notification as PgNotification } from 'pg';
import { NotificationChange } from '../domain/enums';
import { logger } from '../logger';

/** The channel the triggers of migration 1795870000000-NotificationChangeEvents announce notification changes on. */
export const NOTIFICATION_CHANGES_CHANNEL = 'kelmu_notifications_changed';

/** One message of the channel: notifications of one municipality that changed the same way. Ids only. */
export interface NotificationChangeEvent {
  municipalityCode: string;
  change: NotificationChange;
  notificationIds: string[];
  at: Date;
}

const CHANGES = new Set<string>(Object.values(NotificationChange));

/** The triggers' JSON, checked: a message this version does not understand is dropped with a warning, never thrown. */
export function parseNotificationChange(payload: string | undefined): NotificationChangeEvent | undefined {
  try {
    const message = JSON.parse(payload ?? '') as Record<string, unknown>;
    const { municipalityCode, change, ids, at } = message;
    if (
      typeof municipalityCode === 'string' &&
      typeof change === 'string' &&
      CHANGES.has(change) &&
      Array.isArray(ids) &&
      ids.every((id) => typeof id === 'string') &&
      typeof at === 'string'
    ) {
      return {
        municipalityCode: municipalityCode.trim(),
        change: change as NotificationChange,
        notificationIds: ids as string[],
        at: new Date(at),
      };
    }
  } catch {}
  logger.warn(
    { requestId: undefined, channel: NOTIFICATION_CHANGES_CHANNEL },
    'unreadable change message dropped',
  );
  return undefined;
}

export interface NotificationChangeListener {
  /** Resolves once LISTEN is in place (the first time): changes committed after it are heard. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Waits between reconnection attempts: doubling from 0.5 s up to 30 s. */
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 30_000;

/**
 * A dedicated connection (not one of the pool's: LISTEN belongs to a session, and a pooled connection would be lent to
 * requests) that LISTENs on the channel and hands every event to `onEvent`. When the database goes away it reconnects
 * with exponential backoff; changes committed while it was away are not replayed (subscribers re-read the lists, as
 * `onReconnect` lets them know).
 */
export function listenForNotificationChanges(
  config: ClientConfig,
  onEvent: (event: NotificationChangeEvent) => void,
  onReconnect: () => void = () => {},
): NotificationChangeListener {
  let client: Client | undefined;
  let closed = false;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let connectedOnce = false;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const onNotification = (message: PgNotification) => {
    if (message.channel !== NOTIFICATION_CHANGES_CHANNEL) return;
    const event = parseNotificationChange(message.payload);
    if (event) onEvent(event);
  };

  const scheduleRetry = () => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS);
  };

  const connect = async (): Promise<void> => {
    const next = new Client({ ...config, application_name: 'kelmu-graphql-listen' });
    client = next;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      next.removeAllListeners('notification');
      void next.end().catch(() => {});
      if (closed) return;
      logger.warn(
        { requestId: undefined, channel: NOTIFICATION_CHANGES_CHANNEL, retryMs },
        `change listener lost its connection${error ? `: ${error.message}` : ''}`,
      );
      scheduleRetry();
    };
    next.on('error', onLost);
    next.on('end', () => onLost());
    next.on('notification', onNotification);
    try {
      await next.connect();
      await next.query(`LISTEN ${NOTIFICATION_CHANGES_CHANNEL}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    retryMs = FIRST_RETRY_MS;
    if (connectedOnce) {
      logger.info(
        { requestId: undefined, channel: NOTIFICATION_CHANGES_CHANNEL },
        'change listener reconnected',
      );
      onReconnect();
    }
    connectedOnce = true;
    resolveReady();
  };
  void connect();

  return {
    ready,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      resolveReady();
      await client?.end().catch(() => {});
    },
  };
}
