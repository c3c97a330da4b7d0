import express from 'express';
import type { Context } from '../auth/context';
import type { OperationShield } from '../auth/operation-shield';
import { AgeSignal } from '../domain/age-signal';
import type { DownloadFormat } from '../domain/download-paths';
import { NotificationOrder, NotificationStatus } from '../domain/enums';
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
import { DOWNLOAD_DEFAULT_LANGUAGE, DOWNLOAD_SHEET_NAMES } from '../i18n/download-labels';
import { type Language, languageOfCode, negotiateLanguage } from '../i18n/language';
import { logger } from '../logger';
import type { DownloadFile, PreparedDownload } from '../services/download.service';
import { streamCsv } from './csv';
import { sendError } from './error-response';
import { downloadsOpenApi } from './openapi/downloads';
import { requestScopeOf } from './operations';
import {
  HOME_CARE_ALLOWANCE_COLUMNS,
  NOTIFICATION_COLUMNS,
  type SpreadsheetColumn,
  streamXlsx,
} from './spreadsheet';

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

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** `{id}.csv`, `{id}.xlsx`, or a bare `{id}` (CSV, as before workbooks). */
function idAndFormat(file: string): { id: string; format: DownloadFormat } {
  const match = /^(.*)\.(csv|xlsx)$/.exec(file);
  return match ? { id: match[1] as string, format: match[2] as DownloadFormat } : { id: file, format: 'csv' };
}

/** `?lang=fi|sv|en` first, then Accept-Language; Finnish when neither names one of ours. */
function languageOf(req: express.Request): Language {
  const lang = req.query.lang;
  if (lang === undefined) return negotiateLanguage(req.headers['accept-language'], DOWNLOAD_DEFAULT_LANGUAGE);
  const language = typeof lang === 'string' ? languageOfCode(lang) : undefined;
  if (!language) throw new DownloadError(400, ErrorCode.BAD_USER_INPUT, 'Invalid lang: fi, sv or en.');
  return language;
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
 * and open the rows, and pipes them out as CSV (`.csv`) or an Excel workbook (`.xlsx`), in the caller's language
 * (`?lang=`, else Accept-Language, else Finnish). Errors are answered with their codes.
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

  /**
   * Checks the object's row scope, then records the download and streams its rows as CSV or as a workbook: the same
   * rows and the same records either way, only the writing differs.
   */
  async function send(
    res: express.Response,
    ctx: Context,
    download: PreparedDownload,
    file: DownloadFile,
    objectType: string | undefined,
    sheet: { columns: readonly SpreadsheetColumn[]; name: keyof typeof DOWNLOAD_SHEET_NAMES },
  ): Promise<void> {
    if (objectType && download.object) await allow(ctx, objectType, 'id', { parent: download.object });
    const { rows, release } = await download.open();
    const cells = { language: file.language, municipalityName: download.municipalityName };
    try {
      res.attachment(download.fileName).setHeader('cache-control', 'no-store');
      res.setHeader('content-language', file.language.toLowerCase());
      if (file.format === 'xlsx') {
        res.type(XLSX_TYPE);
        const sheetName = DOWNLOAD_SHEET_NAMES[sheet.name][file.language];
        await streamXlsx(rows, sheet.columns, { ...cells, sheetName }, res);
      } else {
        res.type('text/csv; charset=utf-8');
        await streamCsv(rows, sheet.columns, cells, res);
      }
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

  /** A query parameter that must be one of the values of the GraphQL enum it mirrors; undefined when absent. */
  function enumParameter<T extends string>(
    req: express.Request,
    name: string,
    values: readonly T[],
  ): T | undefined {
    const value = req.query[name];
    if (typeof value !== 'string') return undefined;
    if ((values as readonly string[]).includes(value)) return value as T;
    const allowed = `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
    throw new DownloadError(400, ErrorCode.BAD_USER_INPUT, `Invalid ${name}: ${allowed}.`);
  }

  // The routes below, described for tools; public like the GraphQL schema's shape.
  const description = downloadsOpenApi();
  router.get('/openapi.json', (_req, res) => {
    res.json(description);
  });

  router.get(
    '/home-care-allowance-lists/:file',
    handle(async (req, res, ctx, viewer) => {
      const language = languageOf(req);
      const { id, format } = idAndFormat(String(req.params.file));
      await allow(ctx, 'Query', 'homeCareAllowanceList', { args: { id } });
      const file = { language, format };
      const download = await ctx.services.downloads.homeCareAllowanceList(viewer, id, ctx.now, file);
      await send(res, ctx, download, file, 'HomeCareAllowanceList', {
        columns: HOME_CARE_ALLOWANCE_COLUMNS,
        name: 'homeCareAllowanceList',
      });
    }),
  );

  router.get(
    ['/notifications.csv', '/notifications.xlsx'],
    handle(async (req, res, ctx, viewer) => {
      const language = languageOf(req);
      const text = (name: string) =>
        typeof req.query[name] === 'string' ? String(req.query[name]) : undefined;
      const status = enumParameter(req, 'status', [NotificationStatus.NEW, NotificationStatus.IN_PROCESSING]);
      const ageSignal = enumParameter(req, 'ageSignal', Object.values(AgeSignal));
      const filter = {
        status: status ?? NotificationStatus.NEW,
        ...(ageSignal ? { ageSignal } : {}),
        ...(text('municipalityCode') ? { municipalityCode: text('municipalityCode') } : {}),
        ...(text('postalCode') ? { postalCode: text('postalCode') } : {}),
        ...(text('personalIdentityCode') ? { personalIdentityCode: text('personalIdentityCode') } : {}),
      };
      // The rows in the list's order: the `notifications` query's orderBy, newest first unless asked otherwise.
      const order =
        enumParameter(req, 'orderBy', Object.values(NotificationOrder)) ?? NotificationOrder.NEWEST_FIRST;
      await allow(ctx, 'Query', 'notifications', { args: { filter, first: 1 } });
      const file = { language, format: req.path.endsWith('.xlsx') ? ('xlsx' as const) : ('csv' as const) };
      const download = await ctx.services.downloads.notificationList(viewer, filter, ctx.now, file, order);
      await send(res, ctx, download, file, undefined, {
        columns: NOTIFICATION_COLUMNS,
        name: 'notifications',
      });
    }),
  );

  router.get(
    '/notifications/:file',
    handle(async (req, res, ctx, viewer) => {
      const language = languageOf(req);
      const { id, format } = idAndFormat(String(req.params.file));
      await allow(ctx, 'Query', 'notification', { args: { id } });
      const file = { language, format };
      const download = await ctx.services.downloads.notification(viewer, id, ctx.now, file);
      await send(res, ctx, download, file, 'Notification', {
        columns: NOTIFICATION_COLUMNS,
        name: 'notifications',
      });
    }),
  );

  return router;
}
