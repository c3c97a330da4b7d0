import type { DataSource } from 'typeorm';
import { type Clock, finnishDate } from '../../domain/clock';
import { decodeCursor, encodeCursor } from '../../domain/cursor';
import { ViewerKind } from '../../domain/enums';
import { BadUserInputError } from '../../domain/errors';
import { isUuid } from '../../domain/validation';
import { isAuthenticated, type Viewer } from '../../domain/viewer';
import {
  isWebhookEventType,
  newWebhookSecret,
  WEBHOOK_EVENT_TYPES,
  webhookUrlProblem,
} from '../../domain/webhooks';

export interface WebhookEndpoint {
  id: string;
  clientId: string;
  url: string;
  events: string[];
  createdAt: Date;
  secretRotatedAt: Date | null;
  disabledAt: Date | null;
}

/** An endpoint as `add` and `rotate-secret` return it: the only time its secret is shown. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

export type WebhookDeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'CANCELLED';

export interface WebhookDeliveryRow {
  id: string;
  /** The partner's client id; the row rule checks it against the viewer again. */
  clientId: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  endpointUrl: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

export interface WebhookDeliveryPage {
  edges: { cursor: string; node: WebhookDeliveryRow }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A mistake in a command's input; the command prints it with its usage and exits 2. */
export class WebhookEndpointError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`--${argument}: ${message}`);
  }
}

const COLUMNS = `id, client_id AS "clientId", url, events, created_at AS "createdAt",
  secret_rotated_at AS "secretRotatedAt", disabled_at AS "disabledAt"`;

const MAX_PAGE = 100;

/**
 * An endpoint's input as the service takes it, checked without the database, so that a command can refuse a mistake
 * before it opens anything: the client id and URL required, the URL https (or http to loopback), known events.
 */
export function checkedEndpointInput(input: { clientId: string; url: string; events: string[] }): {
  clientId: string;
  url: string;
  events: string[];
} {
  if (!input.clientId.trim()) throw new WebhookEndpointError('client-id', 'is required.');
  if (!input.url) throw new WebhookEndpointError('url', 'is required.');
  const urlProblem = webhookUrlProblem(input.url);
  if (urlProblem) throw new WebhookEndpointError('url', `${urlProblem}.`);
  const events = [...new Set(input.events.map((event) => event.trim()).filter(Boolean))];
  if (events.length === 0) {
    throw new WebhookEndpointError('events', `name at least one of ${WEBHOOK_EVENT_TYPES.join(', ')}.`);
  }
  const unknown = events.filter((event) => !isWebhookEventType(event));
  if (unknown.length > 0) {
    throw new WebhookEndpointError(
      'events',
      `unknown event ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}.`,
    );
  }
  return { clientId: input.clientId, url: input.url, events };
}

/**
 * Partner systems' webhook endpoints (issue 14): registered by Kela's operators with `npm run webhooks`, each with
 * its own signing secret, shown once. A partner sees its own endpoints' deliveries through GraphQL.
 */
export class WebhookEndpointService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Registers an endpoint; `warning` tells when the client has no agreement in force (it then receives nothing). */
  async add(input: {
    clientId: string;
    url: string;
    events: string[];
  }): Promise<{ endpoint: WebhookEndpointWithSecret; warning: string | null }> {
    const { events } = checkedEndpointInput(input);
    const [endpoint]: WebhookEndpointWithSecret[] = await this.dataSource.query(
      `INSERT INTO webhook_endpoint (client_id, url, events, secret) VALUES ($1, $2, $3, $4)
       RETURNING ${COLUMNS}, secret`,
      [input.clientId, input.url, events, newWebhookSecret()],
    );
    const [{ agreements }] = await this.dataSource.query(
      `SELECT count(*)::int AS agreements FROM partner_agreement
        WHERE client_id = $1 AND ended_at IS NULL AND (valid_to IS NULL OR valid_to >= $2)`,
      [input.clientId, finnishDate(this.clock.now())],
    );
    const warning =
      agreements === 0
        ? `Client ${input.clientId} has no agreement in force or to come: the endpoint receives nothing until ` +
          'one is registered with npm run agreements.'
        : null;
    return { endpoint: endpoint as WebhookEndpointWithSecret, warning };
  }

  /** Active endpoints (removed ones are kept for their deliveries' history, but not listed). */
  list(clientId?: string): Promise<WebhookEndpoint[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_endpoint
        WHERE disabled_at IS NULL AND ($1::text IS NULL OR client_id = $1)
        ORDER BY client_id, created_at, id`,
      [clientId ?? null],
    );
  }

  /** A new secret, effective for the next attempt; the old one stops working at once. */
  async rotateSecret(id: string): Promise<WebhookEndpointWithSecret> {
    const [rotated]: WebhookEndpointWithSecret[] = isUuid(id)
      ? await this.dataSource
          .query(
            `UPDATE webhook_endpoint SET secret = $2, secret_rotated_at = now()
              WHERE id = $1 AND disabled_at IS NULL RETURNING ${COLUMNS}, secret`,
            [id, newWebhookSecret()],
          )
          .then((result: [WebhookEndpointWithSecret[], number]) => result[0])
      : [];
    if (!rotated) throw new WebhookEndpointError('id', `no webhook endpoint with id ${id}.`);
    return rotated;
  }

  /**
   * Removes an endpoint: nothing more is sent to it and its pending deliveries are cancelled, in one transaction.
   * The row stays (disabled) so that the partner still sees what was delivered.
   */
  async remove(id: string): Promise<WebhookEndpoint> {
    if (!isUuid(id)) throw new WebhookEndpointError('id', `no webhook endpoint with id ${id}.`);
    return this.dataSource.transaction(async (manager) => {
      const [removed]: WebhookEndpoint[] = await manager
        .query(
          `UPDATE webhook_endpoint SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL
           RETURNING ${COLUMNS}`,
          [id],
        )
        .then((result: [WebhookEndpoint[], number]) => result[0]);
      if (!removed) throw new WebhookEndpointError('id', `no webhook endpoint with id ${id}.`);
      await manager.query(
        `UPDATE webhook_delivery SET status = 'CANCELLED', next_attempt_at = NULL, last_error = 'endpoint removed'
          WHERE endpoint_id = $1 AND status = 'PENDING'`,
        [id],
      );
      return removed;
    });
  }

  /** A partner system's own endpoints' deliveries, newest first; nothing for anyone else. */
  async deliveries(
    viewer: Viewer,
    first: number,
    after: string | null | undefined,
  ): Promise<WebhookDeliveryPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
      throw new BadUserInputError('first', `must be between 1 and ${MAX_PAGE}.`);
    }
    const position = after ? decodeCursor('after', after) : null;
    if (!isAuthenticated(viewer) || viewer.kind !== ViewerKind.PARTNER_SYSTEM) {
      return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    }
    const rows: WebhookDeliveryRow[] = await this.dataSource.query(
      `SELECT d.id, e.client_id AS "clientId", d.event_id AS "eventId", ev.type AS "eventType",
              e.id AS "endpointId", e.url AS "endpointUrl", d.status, d.attempts,
              d.last_status_code AS "lastStatusCode", d.last_error AS "lastError", d.created_at AS "createdAt",
              d.next_attempt_at AS "nextAttemptAt", d.delivered_at AS "deliveredAt"
         FROM webhook_delivery d
         JOIN webhook_endpoint e ON e.id = d.endpoint_id
         JOIN webhook_event ev ON ev.id = d.event_id
        WHERE e.client_id = $1
          AND ($2::timestamptz IS NULL OR (d.created_at, d.id) < ($2, $3::uuid))
        ORDER BY d.created_at DESC, d.id DESC
        LIMIT $4`,
      [viewer.id, position?.createdAt ?? null, position?.id ?? null, first + 1],
    );
    const page = rows.slice(0, first);
    const edges = page.map((node) => ({
      cursor: encodeCursor({ createdAt: node.createdAt, id: node.id }),
      node,
    }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

/** Deliveries by outcome, for the metrics: counted from the table, so that every worker process's work shows. */
export async function webhookDeliveryCounts(
  dataSource: DataSource,
): Promise<{ delivered: number; failed: number; retry: number; pending: number }> {
  const rows: { status: WebhookDeliveryStatus; count: number; attempts: number }[] = await dataSource.query(
    `SELECT status, count(*)::int AS count, coalesce(sum(attempts), 0)::int AS attempts
       FROM webhook_delivery GROUP BY status`,
  );
  const of = (status: WebhookDeliveryStatus) => rows.find((row) => row.status === status);
  // A retry is a failed attempt that was tried again: every attempt but a delivery's last, and all of a pending one's.
  const retry = rows.reduce(
    (sum, row) => sum + (row.status === 'PENDING' ? row.attempts : Math.max(row.attempts - row.count, 0)),
    0,
  );
  return {
    delivered: of('DELIVERED')?.count ?? 0,
    failed: of('FAILED')?.count ?? 0,
    retry,
    pending: of('PENDING')?.count ?? 0,
  };
}
