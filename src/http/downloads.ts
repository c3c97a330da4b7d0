import express from 'express';
import { type ExecutionResult, execute, type GraphQLSchema, parse } from 'graphql';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import type { Context } from '../auth/context';
import { downloadFileName } from '../domain/download-paths';
import { DataContent } from '../domain/enums';
import {
  ErrorCode,
  InternalError,
  RETRY_AFTER_SECONDS,
  SERVICE_UNAVAILABLE_MESSAGE,
  UnauthenticatedError,
} from '../domain/errors';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { type AuthenticatedViewer, isAuthenticated, municipalitiesFor } from '../domain/viewer';
import { logger } from '../logger';
import type { NotificationFilter } from '../resolvers/types/notification-filter.input';
import { type AuditRecord, actorOf, recordAudit } from '../services/audit.service';
import { idsByMunicipality } from '../services/notifications/notification-scope';
import { HOME_CARE_ALLOWANCE_COLUMNS, NOTIFICATION_COLUMNS, streamCsv } from './csv';
import { sendError } from './error-response';

const HTTP_STATUS: Record<string, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

/**
 * Access to a download is decided by running a GraphQL operation through the shielded schema as the caller: the same
 * token, rules and scope as the API, not a second permission model. Only then do the rows stream from the database.
 */
const CHECKS = {
  list: parse(
    'query ($id: ID!) { homeCareAllowanceList(id: $id) { id municipalityCode rowCount fileName } }',
  ),
  notifications: parse(
    'query ($filter: NotificationFilter!) { notifications(filter: $filter, first: 1) { totalCount } }',
  ),
  notification: parse('query ($id: ID!) { notification(id: $id) { id municipality { code } } }'),
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

async function check<T>(
  schema: GraphQLSchema,
  document: typeof CHECKS.list,
  variables: Record<string, unknown>,
  ctx: Context,
) {
  const result = (await execute({
    schema,
    document,
    variableValues: variables,
    contextValue: ctx,
  })) as ExecutionResult<T>;
  const error = result.errors?.[0];
  if (error) {
    const code = String(error.extensions?.code ?? ErrorCode.INTERNAL);
    throw new DownloadError(
      HTTP_STATUS[code] ?? 500,
      code,
      HTTP_STATUS[code] ? error.message : new InternalError().message,
    );
  }
  return result.data as T;
}

export interface DownloadsOptions {
  schema: GraphQLSchema;
  dataSource: DataSource;
  contextFor(req: express.Request): Promise<Context>;
  /** Counts each error response by code (metrics). */
  countError?(code: string): void;
}

export function downloadsRouter({
  schema,
  dataSource,
  contextFor,
  countError,
}: DownloadsOptions): express.Router {
  const router = express.Router();

  const fail = (res: express.Response, error: DownloadError) => {
    countError?.(error.code);
    if (error.status === 503) res.set('retry-after', String(RETRY_AFTER_SECONDS));
    sendError(res.req, res, error.status, error.message, { code: error.code });
  };

  /** Writes the audit row, then streams the rows of `sql` as CSV through a cursor on one pooled connection. */
  async function send(
    res: express.Response,
    ctx: Context,
    audits: { record: AuditRecord; notificationIds?: string[] }[],
    fileName: string,
    [sql, parameters]: [string, unknown[]],
    columns: readonly string[],
  ): Promise<void> {
    await dataSource.transaction(async (manager) => {
      for (const audit of audits) {
        await recordAudit(
          manager,
          actorOf(ctx.viewer as AuthenticatedViewer),
          audit.record,
          audit.notificationIds,
        );
      }
    });
    const runner = dataSource.createQueryRunner('slave');
    try {
      const client = (await runner.connect()) as { query(stream: QueryStream): QueryStream };
      const rows = client.query(new QueryStream(sql, parameters, { batchSize: 500 }));
      res.attachment(fileName).type('text/csv; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      await streamCsv(rows, columns, res);
    } finally {
      await runner.release();
    }
  }

  const handle =
    (action: (req: express.Request, res: express.Response, ctx: Context) => Promise<void>) =>
    async (req: express.Request, res: express.Response) => {
      try {
        const ctx = await contextFor(req);
        if (!isAuthenticated(ctx.viewer)) {
          throw new DownloadError(401, ErrorCode.UNAUTHENTICATED, new UnauthenticatedError().message);
        }
        await action(req, res, ctx);
      } catch (error) {
        if (res.headersSent) {
          // The client went away or the database failed mid-stream: nothing more can be said over this response.
          logger.warn({ requestId: req.id, err: error }, 'download interrupted');
          res.destroy();
          return;
        }
        const code = (error as { extensions?: { code?: string } }).extensions?.code;
        if (error instanceof DownloadError) fail(res, error);
        else if (code === ErrorCode.UNAUTHENTICATED)
          fail(res, new DownloadError(401, code, (error as Error).message));
        else if (isDatabaseUnavailable(error))
          fail(res, new DownloadError(503, ErrorCode.SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_MESSAGE));
        else {
          logger.error({ requestId: req.id, err: error }, 'download failed');
          fail(res, new DownloadError(500, ErrorCode.INTERNAL, new InternalError().message));
        }
      }
    };

  const notFound = (what: string) => new DownloadError(404, ErrorCode.NOT_FOUND, `${what} not found.`);

  router.get(
    '/home-care-allowance-lists/:file',
    handle(async (req, res, ctx) => {
      const id = String(req.params.file).replace(/\.csv$/, '');
      const data = await check<{
        homeCareAllowanceList: { municipalityCode: string; rowCount: number; fileName: string } | null;
      }>(schema, CHECKS.list, { id }, ctx);
      const list = data.homeCareAllowanceList;
      if (!list) throw notFound('List');
      await send(
        res,
        ctx,
        [
          {
            record: {
              action: 'DOWNLOAD_HOME_CARE_ALLOWANCE_LIST',
              occurredAt: ctx.now,
              organisation: list.municipalityCode,
              listId: id,
              details: { rows: list.rowCount },
            },
          },
        ],
        list.fileName,
        ctx.services.homeCareAllowance.exportQuery(ctx.viewer, id, ctx.now),
        HOME_CARE_ALLOWANCE_COLUMNS,
      );
    }),
  );

  router.get(
    '/notifications.csv',
    handle(async (req, res, ctx) => {
      const text = (name: string) =>
        typeof req.query[name] === 'string' ? String(req.query[name]) : undefined;
      const filter = {
        status: text('status') ?? 'NEW',
        ...(text('municipalityCode') ? { municipalityCode: text('municipalityCode') } : {}),
        ...(text('postalCode') ? { postalCode: text('postalCode') } : {}),
        ...(text('personalIdentityCode') ? { personalIdentityCode: text('personalIdentityCode') } : {}),
      };
      if (filter.status !== 'NEW' && filter.status !== 'IN_PROCESSING') {
        throw new DownloadError(400, ErrorCode.BAD_USER_INPUT, 'Invalid status: NEW or IN_PROCESSING.');
      }
      await check<{ notifications: { totalCount: number } }>(schema, CHECKS.notifications, { filter }, ctx);
      const municipality = filter.municipalityCode
        ? ctx.services.municipalities.get(filter.municipalityCode)
        : undefined;
      const validFilter = filter as NotificationFilter;
      // The access log names every notification in the file, per municipality whose data it is.
      const byMunicipality = idsByMunicipality(
        await ctx.services.notificationExport.exportedIds(ctx.viewer, validFilter, ctx.now),
        municipality ? [municipality.code] : municipalitiesFor(ctx.viewer, DataContent.INTEGRATION_SERVICES),
      );
      await send(
        res,
        ctx,
        [...byMunicipality].map(([organisation, notificationIds]) => ({
          record: {
            action: 'DOWNLOAD_NOTIFICATIONS' as const,
            occurredAt: ctx.now,
            organisation,
            details: {
              status: filter.status,
              municipalityCode: municipality?.code ?? null,
              postalCode: filter.postalCode ?? null,
              byPerson: filter.personalIdentityCode !== undefined,
              rows: notificationIds.length,
            },
          },
          notificationIds,
        })),
        downloadFileName.notifications(filter.status, municipality, ctx.now.toISOString().slice(0, 10)),
        ctx.services.notificationExport.exportQuery(ctx.viewer, validFilter, ctx.now),
        NOTIFICATION_COLUMNS,
      );
    }),
  );

  router.get(
    '/notifications/:file',
    handle(async (req, res, ctx) => {
      const id = String(req.params.file).replace(/\.csv$/, '');
      const data = await check<{ notification: { id: string; municipality: { code: string } } | null }>(
        schema,
        CHECKS.notification,
        { id },
        ctx,
      );
      if (!data.notification) throw notFound('Notification');
      await send(
        res,
        ctx,
        [
          {
            record: {
              action: 'DOWNLOAD_NOTIFICATIONS',
              occurredAt: ctx.now,
              organisation: data.notification.municipality.code,
              notificationId: id,
              details: { rows: 1 },
            },
          },
        ],
        downloadFileName.notification(id),
        ctx.services.notificationExport.exportQuery(ctx.viewer, { id }, ctx.now),
        NOTIFICATION_COLUMNS,
      );
    }),
  );

  return router;
}
