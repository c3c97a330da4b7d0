import type { ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import { pgPoolOf } from '../../db/data-source';
import {
  listenForNotificationChanges,
  type NotificationChangeEvent,
  type NotificationChangeListener,
} from '../../db/notification-change-listener';
import { DataContent } from '../../domain/enums';
import { ForbiddenError, ServiceUnavailableError } from '../../domain/errors';
import { canAccess, type Viewer } from '../../domain/viewer';
import type { MunicipalityService } from '../municipality.service';

export type { NotificationChangeEvent };

/** How long a new subscription waits for the listening connection before it is refused as SERVICE_UNAVAILABLE. */
const LISTEN_TIMEOUT_MS = 5000;
/** Events a subscriber may have waiting; a client that reads none of them for this long is dropped, not buffered. */
const MAX_PENDING_EVENTS = 1000;

/** One subscriber's events, in order, as an async iterator (what graphql-js reads a subscription's events from). */
class EventQueue implements AsyncIterableIterator<NotificationChangeEvent> {
  private readonly pending: NotificationChangeEvent[] = [];
  private waiting: ((result: IteratorResult<NotificationChangeEvent>) => void) | undefined;
  private done = false;

  constructor(private readonly onEnd: (queue: EventQueue) => void) {}

  push(event: NotificationChangeEvent): void {
    if (this.done) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: event, done: false });
    } else if (this.pending.length >= MAX_PENDING_EVENTS) {
      this.end();
    } else {
      this.pending.push(event);
    }
  }

  next(): Promise<IteratorResult<NotificationChangeEvent>> {
    const event = this.pending.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<NotificationChangeEvent>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.pending.length = 0;
    this.onEnd(this);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<NotificationChangeEvent> {
    return this;
  }
}

/**
 * Notification changes for subscriptions (issue 14). The database announces every change (triggers, pg_notify); this
 * process listens on one dedicated connection, opened with the first subscription, and hands each event to the
 * subscribers of its municipality. Every API process does the same, so a change made through any of them, or by a job
 * or an import, reaches the subscribers of all of them.
 */
export class NotificationEventService {
  private listener: NotificationChangeListener | undefined;
  private readonly subscribers = new Map<string, Set<EventQueue>>();
  private closed = false;

  constructor(
    private readonly connectionConfig: () => ClientConfig,
    private readonly municipalities: MunicipalityService,
  ) {}

  /** The pool's own connection settings (address, credentials, session options), for one more connection. */
  static forDataSource(
    dataSource: DataSource,
    municipalities: MunicipalityService,
  ): NotificationEventService {
    return new NotificationEventService(
      () => ({ ...(pgPoolOf(dataSource).options as ClientConfig) }),
      municipalities,
    );
  }

  /**
   * Kela: integration-service notifications only for the municipalities the viewer holds the mandate (or agreement)
   * for. The permission map checks the same at subscribe time and for every event; this is the scope's second check.
   */
  async subscribe(
    viewer: Viewer,
    municipalityCode: string,
  ): Promise<AsyncIterableIterator<NotificationChangeEvent>> {
    const code = this.municipalities.requireKnown('municipalityCode', municipalityCode);
    if (!canAccess(viewer, DataContent.INTEGRATION_SERVICES, code)) {
      throw new ForbiddenError(
        `Not allowed: you hold no mandate for integration-service data of municipality ${code}.`,
      );
    }
    if (this.closed) throw new ServiceUnavailableError();
    await this.listening();
    const queue = new EventQueue((ended) => this.subscribers.get(code)?.delete(ended));
    let queues = this.subscribers.get(code);
    if (!queues) {
      queues = new Set();
      this.subscribers.set(code, queues);
    }
    queues.add(queue);
    return queue;
  }

  /** Subscribers in this process, for metrics and tests. */
  get subscriberCount(): number {
    let count = 0;
    for (const queues of this.subscribers.values()) count += queues.size;
    return count;
  }

  /** Ends every subscription (their clients get `complete`) and the listening connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const queues of this.subscribers.values()) for (const queue of [...queues]) queue.end();
    this.subscribers.clear();
    await this.listener?.close();
  }

  private async listening(): Promise<void> {
    this.listener ??= listenForNotificationChanges(this.connectionConfig(), (event) => {
      for (const queue of this.subscribers.get(event.municipalityCode) ?? []) queue.push(event);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), LISTEN_TIMEOUT_MS);
    });
    const outcome = await Promise.race([this.listener.ready, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout' || this.closed) throw new ServiceUnavailableError();
  }
}
