import type http from 'node:http';
import { ErrorCode, RETRY_AFTER_SECONDS } from '../domain/errors';
import type { NodeMiddleware } from './edge';
import { writeError } from './error-response';

export const STOPPING_MESSAGE =
  'Service stopping: the request was not run. Send it again; another instance or the restarted service will answer.';

export interface CloseOptions {
  /** How long in-flight requests may run on; then `cancel` is called. */
  drainMs: number;
  /** Makes what still runs finish (cancels its database statements), so that it is answered. */
  cancel: () => Promise<unknown>;
  /** How long the cancelled requests have to be answered before their connections are cut. */
  cancelGraceMs: number;
}

/**
 * Stopping without executing anything that goes unanswered. Keep-alive connections outlive `server.close()`: a
 * request arriving on one after shutdown began is answered 503 with `Connection: close` and not run, in-flight ones are
 * answered with `Connection: close` too, idle connections are closed, and at the deadline what still runs is
 * cancelled and answered before the connections are cut.
 */
export function gracefulClose(server: http.Server) {
  const inFlight = new Set<http.ServerResponse>();
  let stopping = false;
  let onSettled: (() => void) | undefined;
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (stopping) {
        // Its connection (if the response was already under way without Connection: close) is idle now.
        setImmediate(() => server.closeIdleConnections());
        if (inFlight.size === 0) onSettled?.();
      }
    });
  });

  const settled = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (inFlight.size === 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      onSettled = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });

  /** First on the routes: refuses requests once stopping. */
  const refuseWhileStopping: NodeMiddleware = (req, res, next) => {
    if (!stopping) return next();
    res.setHeader('connection', 'close');
    res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
    writeError(req, res, 503, STOPPING_MESSAGE, { code: ErrorCode.SERVICE_UNAVAILABLE });
  };

  return {
    refuseWhileStopping,
    get stopping() {
      return stopping;
    },
    async close({ drainMs, cancel, cancelGraceMs }: CloseOptions): Promise<{ cancelled: boolean }> {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      let cancelled = false;
      if (!(await settled(drainMs))) {
        cancelled = true;
        await cancel();
        await settled(cancelGraceMs);
      }
      server.closeAllConnections();
      await closed;
      return { cancelled };
    },
  };
}
