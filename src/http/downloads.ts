import express from 'express';
import type { Context } from '../auth/context';
import type { OperationShield } from '../auth/operation-shield';
import { NotificationStatus } from '../domain/enums';
import {
  ErrorCode,
  InternalError,
  isCodedError,
  RETRY_AFTER_SECONDS,
  SERVICE_UNAVAILABLE_MESSAGE,
  UnauthenticatedError,
} from '../domain/errors';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { type AuthenticatedViewer, isAuthenticated } from '../domain/viewer';
import { logger } from '../logger';
import type { PreparedDownload } from '../services/download.service';
import { HOME_CARE_ALLOWANCE_COLUMNS, NOTIFICATION_COLUMNS, streamCsv } from './csv';
import { sendError } from './error-response';
import { requestScopeOf } from './operations';

const HTTP_STATUS: Record<string, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

class DownloadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A coded error (a rule's denial, bad input, not found) as the download's HTTP answer. */
function asDownloadError(error: unknown): DownloadError | undefined {
  if (error instanceof DownloadError) return error;
  if (!isCodedError(error)) return undefined;
  const code = String(error.extensions.code);
  const status = HTTP_STATUS[code];
  return status ? new DownloadError(status, code, error.message) : undefined;
}

export interface DownloadsOptions {
  /** The permission map: the same rules as the GraphQL fields whose data each download holds. */
  authorization: Pick<OperationShield, 'decide'>;
  contextFor(req: express.Request): Promise<Context>;
  /** Counts each error response by code (metrics). */
  countError?(code: string): void;
}

/**
 * The download routes: each parses its request, asks the permission map what the corresponding GraphQL fields would
 * (the query field with its arguments, then the row scope of the object), lets the download service record the access
 * and open the rows, and pipes them out as CSV. Errors are answered with their codes.
 */
export function downloadsRouter({ authorization, contextFor, countError }: DownloadsOptions): express.Router {
  const router = express.Router();

  const fail = (res: express.Response, error: DownloadError) => {
    countError?.(error.code);
    if (error.status === 503) res.set('retry-after', String(RETRY_AFTER_SECONDS));
    sendError(res.req, res, error.status, error.message, { code: error.code });
  };

  /** Throws the rule's error unless the map allows `type.field` for this caller. */
  async function allow(
    ctx: Context,
    typeName: string,
    fieldName: string,
    input: { parent?: unknown; args?: Record<string, unknown> },
  ): Promise<void> {
    const outcome = await authorization.decide(typeName, fieldName, input, ctx);
    if (outcome !== true) throw outcome;
  }

  /** Checks the object's row scope, then records the download and streams its rows as CSV. */
  async function send(
    res: express.Response,
    ctx: Context,
    download: PreparedDownload,
    objectType: string | undefined,
    columns: readonly string[],
  ): Promise<void> {
    if (objectType && download.object) await allow(ctx, objectType, 'id', { parent: download.object });
    const { rows, release } = await download.open();
    try {
      res.attachment(download.fileName).type('text/csv; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      await streamCsv(rows, columns, res);
    } finally {
      await release();
    }
  }

  const handle =
    (
      action: (
        req: express.Request,
        res: express.Response,
        ctx: Context,
        viewer: AuthenticatedViewer,
      ) => Promise<void>,
    ) =>
    async (req: express.Request, res: express.Response) => {
      try {
        const ctx = await contextFor(req);
        const { viewer } = ctx;
        if (!isAuthenticated(viewer)) {
          throw new DownloadError(401, ErrorCode.UNAUTHENTICATED, new UnauthenticatedError().message);
        }
        await action(req, res, ctx, viewer);
      } catch (error) {
        if (res.headersSent) {
          // The client went away or the database failed mid-stream: nothing more can be said over this response.
          logger.warn({ requestId: requestScopeOf(req).requestId, err: error }, 'download interrupted');
          res.destroy();
          return;
        }
        const coded = asDownloadError(error);
        if (coded) fail(res, coded);
        else if (isDatabaseUnavailable(error))
          fail(res, new DownloadError(503, ErrorCode.SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_MESSAGE));
        else {
          logger.error({ requestId: requestScopeOf(req).requestId, err: error }, 'download failed');
          fail(res, new DownloadError(500, ErrorCode.INTERNAL, new InternalError().message));
        }
      }
    };

  router.get(
    '/home-care-allowance-lists/:file',
    handle(async (req, res, ctx, viewer) => {
      const id = String(req.params.file).replace(/\.csv$/, '');
      await allow(ctx, 'Query', 'homeCareAllowanceList', { args: { id } });
      const download = await ctx.services.downloads.homeCareAllowanceList(viewer, id, ctx.now);
      await send(res, ctx, download, 'HomeCareAllowanceList', HOME_CARE_ALLOWANCE_COLUMNS);
    }),
  );

  router.get(
    '/notifications.csv',
    handle(async (req, res, ctx, viewer) => {
      const text = (name: string) =>
        typeof req.query[name] === 'string' ? String(req.query[name]) : undefined;
      const status = text('status') ?? 'NEW';
      if (status !== NotificationStatus.NEW && status !== NotificationStatus.IN_PROCESSING) {
        throw new DownloadError(400, ErrorCode.BAD_USER_INPUT, 'Invalid status: NEW or IN_PROCESSING.');
      }
      const filter = {
        status,
        ...(text('municipalityCode') ? { municipalityCode: text('municipalityCode') } : {}),
        ...(text('postalCode') ? { postalCode: text('postalCode') } : {}),
        ...(text('personalIdentityCode') ? { personalIdentityCode: text('personalIdentityCode') } : {}),
      };
      await allow(ctx, 'Query', 'notifications', { args: { filter, first: 1 } });
      const download = await ctx.services.downloads.notificationList(viewer, filter, ctx.now);
      await send(res, ctx, download, undefined, NOTIFICATION_COLUMNS);
    }),
  );

  router.get(
    '/notifications/:file',
    handle(async (req, res, ctx, viewer) => {
      const id = String(req.params.file).replace(/\.csv$/, '');
      await allow(ctx, 'Query', 'notification', { args: { id } });
      const download = await ctx.services.downloads.notification(viewer, id, ctx.now);
      await send(res, ctx, download, 'Notification', NOTIFICATION_COLUMNS);
    }),
  );

  return router;
}
