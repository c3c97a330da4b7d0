import type { Readable } from 'node:stream';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import { finnishDate } from '../domain/clock';
import { type DownloadFormat, downloadFileName, municipalityName } from '../domain/download-paths';
import { DataContent, NotificationOrder } from '../domain/enums';
import { NotFoundError } from '../domain/errors';
import { type AuthenticatedViewer, municipalitiesFor } from '../domain/viewer';
import type { Language } from '../i18n/language';
import { type AuditRecord, actorOf, recordAudit, type SocialCareAccess } from './audit.service';
import type { HomeCareAllowanceReadService } from './home-care-allowance/home-care-allowance-reads.service';
import type { MunicipalityService } from './municipality.service';
import type { NotificationExportService } from './notifications/notification-export.service';
import type { NotificationReadService } from './notifications/notification-reads.service';
import { idsByMunicipality } from './notifications/notification-scope';
import type { NotificationFilterShape, SocialCareNoticeFilterShape } from './shapes';
import type { SocialCareNoticeReadService } from './social-care/social-care-notice-reads.service';

/** The rows of a download as they stream from the database, and the connection to give back when done. */
export interface DownloadRows {
  rows: Readable;
  release(): Promise<void>;
}

/**
 * A download whose data the viewer may see, not yet recorded: `open()` writes its audit rows and access log entries
 * (one transaction), then opens a cursor over its rows.
 */
export interface PreparedDownload {
  fileName: string;
  /** The object a row-scope rule checks before anything is recorded or sent (the list, the notification, the notice). */
  object?: { municipalityCode: string };
  /** A municipality's name in the file's language, for the rows' municipality column. */
  municipalityName(code: string): string | undefined;
  open(): Promise<DownloadRows>;
}

/** How the file is written: its language and format name the file; the rows and what is recorded are the same. */
export interface DownloadFile {
  language: Language;
  format: DownloadFormat;
}

/**
 * Kela: handlers download the data of a list or of one notification, and each month's child home care allowance list.
 * The data and its scope come from the same services as the API's reads; the access is recorded once, as the
 * download's own audit row and access log entry (not also as a read).
 */
export class DownloadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationReadService,
    private readonly notificationExport: NotificationExportService,
    private readonly homeCareAllowance: HomeCareAllowanceReadService,
    private readonly municipalities: MunicipalityService,
    private readonly socialCareNotices: SocialCareNoticeReadService,
  ) {}

  /**
   * Kela's social-care notices as a file: what the `socialCareNotices` query would list (all pages), or one notice.
   * One audit row and access-log entry per recipient whose notices it holds (organisation = the recipient's id); a
   * download that found nothing is still recorded, under each recipient asked about.
   */
  async socialCareNoticeList(
    viewer: AuthenticatedViewer,
    filter: SocialCareNoticeFilterShape,
    now: Date,
    file: DownloadFile,
  ): Promise<PreparedDownload> {
    const exported = await this.socialCareNotices.export(viewer, filter, now);
    const byRecipient = new Map<string, { ids: string[]; municipalityCode: string }>();
    const add = (municipalityCode: string, id?: string) => {
      const recipient = this.socialCareNotices.recipientOf(municipalityCode).id;
      const entry = byRecipient.get(recipient) ?? { ids: [], municipalityCode };
      if (id) entry.ids.push(id);
      byRecipient.set(recipient, entry);
    };
    for (const row of exported.rows) add(row.municipalityCode, row.id);
    if (byRecipient.size === 0) for (const code of exported.query.searchedMunicipalities) add(code);
    const municipality = filter.municipalityCode
      ? this.municipalities.get(filter.municipalityCode)
      : undefined;
    return {
      fileName: downloadFileName.socialCareNotices(
        { municipality, recipientId: filter.recipientId ?? undefined },
        finnishDate(now),
        file.language,
        file.format,
      ),
      municipalityName: this.namesIn(file.language),
      open: () =>
        this.open(
          viewer,
          [...byRecipient].map(([organisation, { ids, municipalityCode }]) => ({
            record: {
              action: 'DOWNLOAD_SOCIAL_CARE_NOTICES' as const,
              occurredAt: now,
              organisation,
              details: {
                kinds: filter.kinds?.join(',') ?? null,
                recipientId: filter.recipientId ?? null,
                municipalityCode: municipality?.code ?? null,
                postalCode: filter.postalCode ?? null,
                byPerson: filter.personalIdentityCode != null,
                rows: ids.length,
              },
            },
            socialCare: { noticeIds: ids, municipalityCode },
          })),
          exported.sql,
        ),
    };
  }

  async socialCareNotice(
    viewer: AuthenticatedViewer,
    id: string,
    now: Date,
    file: DownloadFile,
  ): Promise<PreparedDownload> {
    const notice = await this.socialCareNotices.find(viewer, id, now);
    if (!notice) throw new NotFoundError('Social-care notice');
    const exported = await this.socialCareNotices.export(viewer, { id: notice.id }, now);
    return {
      fileName: downloadFileName.socialCareNotice(notice.id, file.format),
      object: notice,
      municipalityName: this.namesIn(file.language),
      open: () =>
        this.open(
          viewer,
          [
            {
              record: {
                action: 'DOWNLOAD_SOCIAL_CARE_NOTICES',
                occurredAt: now,
                organisation: this.socialCareNotices.recipientOf(notice.municipalityCode).id,
                socialCareNoticeId: notice.id,
                details: { rows: 1 },
              },
              socialCare: { municipalityCode: notice.municipalityCode },
            },
          ],
          exported.sql,
        ),
    };
  }

  async homeCareAllowanceList(
    viewer: AuthenticatedViewer,
    id: string,
    now: Date,
    file: DownloadFile,
  ): Promise<PreparedDownload> {
    const list = await this.homeCareAllowance.find(viewer, id, now);
    if (!list) throw new NotFoundError('List');
    return {
      fileName: downloadFileName.homeCareAllowanceList(
        list,
        this.municipalities.get(list.municipalityCode),
        file.language,
        file.format,
      ),
      object: list,
      municipalityName: this.namesIn(file.language),
      open: () =>
        this.open(
          viewer,
          [
            {
              record: {
                action: 'DOWNLOAD_HOME_CARE_ALLOWANCE_LIST',
                occurredAt: now,
                organisation: list.municipalityCode,
                listId: list.id,
                details: { rows: list.rowCount },
              },
            },
          ],
          this.homeCareAllowance.exportQuery(viewer, list.id, now),
        ),
    };
  }

  /** Bad filter values are the caller's BAD_USER_INPUT, as in the `notifications` query. */
  async notificationList(
    viewer: AuthenticatedViewer,
    filter: NotificationFilterShape,
    now: Date,
    file: DownloadFile,
    order = NotificationOrder.NEWEST_FIRST,
  ): Promise<PreparedDownload> {
    const municipality = filter.municipalityCode
      ? this.municipalities.get(filter.municipalityCode)
      : undefined;
    // The access log names every notification in the file, per municipality whose data it is.
    const byMunicipality = idsByMunicipality(
      await this.notificationExport.exportedIds(viewer, filter, now),
      municipality ? [municipality.code] : municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES),
    );
    return {
      // The day as the handler's calendar has it.
      fileName: downloadFileName.notifications(
        filter.status,
        municipality,
        finnishDate(now),
        file.language,
        file.format,
      ),
      municipalityName: this.namesIn(file.language),
      open: () =>
        this.open(
          viewer,
          [...byMunicipality].map(([organisation, notificationIds]) => ({
            record: {
              action: 'DOWNLOAD_NOTIFICATIONS' as const,
              occurredAt: now,
              organisation,
              details: {
                status: filter.status,
                municipalityCode: municipality?.code ?? null,
                postalCode: filter.postalCode ?? null,
                byPerson: filter.personalIdentityCode != null,
                rows: notificationIds.length,
              },
            },
            notificationIds,
          })),
          this.notificationExport.exportQuery(viewer, filter, now, order),
        ),
    };
  }

  async notification(
    viewer: AuthenticatedViewer,
    id: string,
    now: Date,
    file: DownloadFile,
  ): Promise<PreparedDownload> {
    const notification = await this.notifications.find(viewer, id, now);
    if (!notification) throw new NotFoundError();
    return {
      fileName: downloadFileName.notification(notification.id, file.format),
      object: notification,
      municipalityName: this.namesIn(file.language),
      open: () =>
        this.open(
          viewer,
          [
            {
              record: {
                action: 'DOWNLOAD_NOTIFICATIONS',
                occurredAt: now,
                organisation: notification.municipalityCode,
                notificationId: notification.id,
                details: { rows: 1 },
              },
            },
          ],
          this.notificationExport.exportQuery(viewer, { id: notification.id }, now),
        ),
    };
  }

  private namesIn(language: Language): (code: string) => string | undefined {
    return (code) => {
      const municipality = this.municipalities.get(code);
      return municipality && municipalityName(municipality, language);
    };
  }

  /** Records the download, then streams the rows of `sql` through a cursor on one pooled connection. */
  private async open(
    viewer: AuthenticatedViewer,
    audits: { record: AuditRecord; notificationIds?: string[]; socialCare?: SocialCareAccess }[],
    [sql, parameters]: [string, unknown[]],
  ): Promise<DownloadRows> {
    await this.dataSource.transaction(async (manager) => {
      for (const audit of audits) {
        await recordAudit(manager, actorOf(viewer), audit.record, audit.notificationIds, audit.socialCare);
      }
    });
    const runner = this.dataSource.createQueryRunner('slave');
    try {
      const client = (await runner.connect()) as { query(stream: QueryStream): QueryStream };
      const rows = client.query(new QueryStream(sql, parameters, { batchSize: 500 }));
      return { rows, release: () => runner.release() };
    } catch (error) {
      await runner.release();
      throw error;
    }
  }
}
