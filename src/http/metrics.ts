import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Context } from '../auth/context';
import type { PoolStats } from '../db/data-source';
import type { NodeMiddleware } from './edge';

/** Webhook deliveries by outcome, counted in the database (src/services/webhooks). */
export interface WebhookDeliveryCounts {
  delivered: number;
  failed: number;
  retry: number;
  pending: number;
}

/** Paths that are their own `route` label; everything else is `other` (so that unknown URLs add no series). */
const ROUTES = ['/graphql', '/healthz', '/readyz', '/metrics', '/.well-known/jwks.json'];

function routeOf(req: http.IncomingMessage): string {
  const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0] ?? '';
  if (ROUTES.includes(path)) return path;
  if (path.startsWith('/downloads/')) return '/downloads';
  return 'other';
}

/** Operation names come from clients: only GraphQL names, and at most this many distinct ones, become labels. */
const MAX_OPERATION_LABELS = 200;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export interface Metrics {
  registry: Registry;
  /** Counts and times every HTTP request (mount first; the lean /graphql path calls it too). */
  http: NodeMiddleware;
  /** Times each GraphQL operation by name and type. */
  apolloPlugin: ApolloServerPlugin<Context>;
  /** Counts an error response by its `extensions.code`. */
  countError(code: string | undefined): void;
}

/**
 * Prometheus metrics, in a registry of this server's own (several servers in one process, as in the tests, do not
 * collide): request rate and latency per route and status, latency per GraphQL operation, errors by code, the
 * database pool's connections, and Node's process metrics.
 */
export function createMetrics(
  pool: () => PoolStats | undefined,
  webhookDeliveries?: () => Promise<WebhookDeliveryCounts>,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'kelmu_http_requests_total',
    help: 'HTTP requests by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'kelmu_http_request_duration_seconds',
    help: 'HTTP request latency by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const operationDuration = new Histogram({
    name: 'kelmu_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency by operation name and type (query, mutation); rate() of _count is the rate.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'kelmu_errors_total',
    help: 'Errors returned to clients by extensions.code (GraphQL errors, downloads, rate limit, body limit).',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'kelmu_db_pool_connections',
    help: "The API's database pool: open connections (total), idle ones, and requests waiting for one.",
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = pool();
      this.set({ state: 'total' }, stats?.totalCount ?? 0);
      this.set({ state: 'idle' }, stats?.idleCount ?? 0);
      this.set({ state: 'in_use' }, (stats?.totalCount ?? 0) - (stats?.idleCount ?? 0));
      this.set({ state: 'waiting' }, stats?.waitingCount ?? 0);
    },
  });
  new Gauge({
    name: 'kelmu_db_pool_max_connections',
    help: "The API's database pool size.",
    registers: [registry],
    collect() {
      this.set(pool()?.options.max ?? 0);
    },
  });

  if (webhookDeliveries) registerWebhookMetrics(registry, webhookDeliveries);

  const operationLabels = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (!GRAPHQL_NAME.test(name)) return 'invalid';
    if (operationLabels.has(name)) return name;
    if (operationLabels.size >= MAX_OPERATION_LABELS) return 'other';
    operationLabels.add(name);
    return name;
  };

  return {
    registry,
    http(req, res, next) {
      const end = requestDuration.startTimer();
      res.once('finish', () => {
        const labels = { method: req.method ?? '', route: routeOf(req) };
        end(labels);
        requests.inc({ ...labels, status: String(res.statusCode) });
      });
      next();
    },
    apolloPlugin: {
      async requestDidStart() {
        const started = performance.now();
        let operation = 'unresolved';
        let type = 'unknown';
        return {
          async didResolveOperation(requestContext) {
            operation = operationLabel(requestContext.operationName);
            type = requestContext.operation?.operation ?? 'unknown';
            // The request's log line names the operation.
            requestContext.contextValue.scope.operation = operation;
          },
          async willSendResponse() {
            operationDuration.observe({ operation, type }, (performance.now() - started) / 1000);
          },
        };
      },
    },
    countError(code) {
      errors.inc({ code: code ?? 'UNKNOWN' });
    },
  };
}

/**
 * Webhooks (issue 14). Deliveries run in whichever process runs the worker (`npm start` or `npm run worker`), so the
 * counts are read from the delivery table at scrape time rather than counted in this process: every instance reports
 * the same totals (sum() across instances would overcount; use max()). They only grow while deliveries are kept.
 */
function registerWebhookMetrics(registry: Registry, counts: () => Promise<WebhookDeliveryCounts>): void {
  let latest: Promise<WebhookDeliveryCounts> | undefined;
  // One query per scrape for both metrics.
  const read = () => {
    latest ??= counts().finally(() => setTimeout(() => (latest = undefined), 1000).unref());
    return latest;
  };
  new Counter({
    name: 'kelmu_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered (2xx), retry (failed, tried again), failed (given up).',
    labelNames: ['result'] as const,
    registers: [registry],
    async collect() {
      const current = await read().catch(() => undefined);
      if (!current) return;
      this.reset();
      this.inc({ result: 'delivered' }, current.delivered);
      this.inc({ result: 'retry' }, current.retry);
      this.inc({ result: 'failed' }, current.failed);
    },
  });
  new Gauge({
    name: 'kelmu_webhook_deliveries_pending',
    help: 'Webhook deliveries not yet delivered nor given up (first attempt due, or retrying).',
    registers: [registry],
    async collect() {
      const current = await read().catch(() => undefined);
      if (current) this.set(current.pending);
    },
  });
}
