import type { DataSource } from 'typeorm';
import type { AgeSignalThresholds } from '../domain/age-signal';
import type { Clock } from '../domain/clock';
import { AccessLogService } from './access-log.service';
import { AgreementService } from './agreement.service';
import { DownloadService } from './download.service';
import { HomeCareAllowanceGenerationService } from './home-care-allowance/home-care-allowance-generation.service';
import { HomeCareAllowanceReadService } from './home-care-allowance/home-care-allowance-reads.service';
import { RecipientImportService } from './home-care-allowance/recipient-import.service';
import { NotificationImportService } from './import/notification-import.service';
import { SocialCareNoticeImportService } from './import/social-care-notice-import.service';
import { MunicipalityService } from './municipality.service';
import { NotificationChangeService } from './notifications/notification-changes.service';
import { NotificationEventService } from './notifications/notification-events.service';
import { NotificationExportService } from './notifications/notification-export.service';
import { NotificationReadService } from './notifications/notification-reads.service';
import { OrganisationAgreementService } from './organisation-agreement.service';
import { PurgeService } from './purge.service';
import { SocialCareNoticeChangeService } from './social-care/social-care-notice-changes.service';
import { SocialCareNoticeReadService } from './social-care/social-care-notice-reads.service';

import { WebhookEndpointService } from './webhooks/webhook-endpoint.service';
export interface Services {
  accessLog: AccessLogService;
  agreements: AgreementService;
  /** Kela's agreements with authorities, which persons' mandates need (kept in memory by the serving process). */
  organisationAgreements: OrganisationAgreementService;
  downloads: DownloadService;
  municipalities: MunicipalityService;
  /** Per-request reads of the lists. */
  homeCareAllowance: HomeCareAllowanceReadService;
  /** The monthly run that generates the lists. */
  homeCareAllowanceGeneration: HomeCareAllowanceGenerationService;
  recipientImport: RecipientImportService;
  /** Reads of notifications (lists, by id), logged in the access log. */
  notifications: NotificationReadService;
  /** The three state changes. */
  notificationChanges: NotificationChangeService;
  /** What the downloads stream. */
  notificationExport: NotificationExportService;
  notificationImport: NotificationImportService;
  /** Kela's social-care notices to the welfare areas, Helsinki and Åland. */
  socialCareNoticeImport: SocialCareNoticeImportService;
  /** Reads of social-care notices (list, by id), logged in the access log. */
  socialCareNotices: SocialCareNoticeReadService;
  /** The transfer of a social-care notice. */
  socialCareNoticeChanges: SocialCareNoticeChangeService;
  purge: PurgeService;
  /** Notification changes for subscriptions, heard through LISTEN/NOTIFY from every process (issue 14). */
  notificationEvents: NotificationEventService;
  /** Partner systems' webhook endpoints and their deliveries (issue 14). */
  webhooks: WebhookEndpointService;
}

export interface ServiceOptions {
  /** config.accessLogRetentionYears; 5 years when absent (tests, tools without a configuration). */
  accessLogRetentionYears?: number;
  /** config.socialCareNoticeRetentionDays; DEFAULT_SOCIAL_CARE_NOTICE_RETENTION_DAYS when absent. */
  socialCareNoticeRetentionDays?: number;
  /** config.ageSignal; GREEN 0–14, YELLOW 15–24, RED 25+ pending days when absent. */
  ageSignal?: AgeSignalThresholds;
  /** Where the access log's checkpoint is kept outside the database (DATA_DIR/access-log-anchor.json); none when absent. */
  accessLogAnchorFile?: string;
}

/** Builds the services once per process and loads the in-memory reference data they share. */
export async function createServices(
  dataSource: DataSource,
  clock: Clock,
  options: ServiceOptions = {},
): Promise<Services> {
  const municipalities = new MunicipalityService(dataSource);
  await municipalities.refresh();
  const accessLog = new AccessLogService(
    dataSource,
    undefined,
    options.accessLogAnchorFile ? { anchorFile: options.accessLogAnchorFile } : {},
    municipalities,
  );
  const homeCareAllowance = new HomeCareAllowanceReadService(dataSource, municipalities, accessLog);
  const notifications = new NotificationReadService(dataSource, municipalities, accessLog, options.ageSignal);
  const socialCareNotices = new SocialCareNoticeReadService(dataSource, municipalities, accessLog);
  const notificationExport = new NotificationExportService(dataSource, municipalities, options.ageSignal);
  return {
    accessLog,
    agreements: new AgreementService(dataSource, (code) => municipalities.isKnown(code)),
    organisationAgreements: new OrganisationAgreementService(dataSource, (code) =>
      municipalities.isKnown(code),
    ),
    downloads: new DownloadService(
      dataSource,
      notifications,
      notificationExport,
      homeCareAllowance,
      municipalities,
      socialCareNotices,
    ),
    municipalities,
    homeCareAllowance,
    homeCareAllowanceGeneration: new HomeCareAllowanceGenerationService(dataSource),
    recipientImport: new RecipientImportService(dataSource, municipalities),
    notifications,
    notificationChanges: new NotificationChangeService(dataSource, municipalities),
    notificationExport,
    notificationImport: new NotificationImportService(dataSource, municipalities),
    socialCareNoticeImport: new SocialCareNoticeImportService(dataSource, municipalities),
    socialCareNotices,
    socialCareNoticeChanges: new SocialCareNoticeChangeService(dataSource, municipalities),
    purge: new PurgeService(
      dataSource,
      clock,
      options.accessLogRetentionYears,
      options.socialCareNoticeRetentionDays,
    ),
    notificationEvents: NotificationEventService.forDataSource(dataSource, municipalities),
    webhooks: new WebhookEndpointService(dataSource, clock),
  };
}
