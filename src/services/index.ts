import type { DataSource } from 'typeorm';
import type { Clock } from '../domain/clock';
import { AccessLogService } from './access-log.service';
import { AgreementService } from './agreement.service';
import { DownloadService } from './download.service';
import { HomeCareAllowanceService } from './home-care-allowance/home-care-allowance.service';
import { RecipientImportService } from './home-care-allowance/recipient-import.service';
import { NotificationImportService } from './import/notification-import.service';
import { MunicipalityService } from './municipality.service';
import { NotificationService } from './notification.service';
import { PurgeService } from './purge.service';

export interface Services {
  accessLog: AccessLogService;
  agreements: AgreementService;
  downloads: DownloadService;
  municipalities: MunicipalityService;
  homeCareAllowance: HomeCareAllowanceService;
  recipientImport: RecipientImportService;
  notifications: NotificationService;
  notificationImport: NotificationImportService;
  purge: PurgeService;
}

export interface ServiceOptions {
  /** config.accessLogRetentionYears; 5 years when absent (tests, tools without a configuration). */
  accessLogRetentionYears?: number;
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
  );
  const homeCareAllowance = new HomeCareAllowanceService(dataSource, municipalities, accessLog);
  const notifications = new NotificationService(dataSource, municipalities, clock, accessLog);
  return {
    accessLog,
    agreements: new AgreementService(dataSource, (code) => municipalities.isKnown(code)),
    downloads: new DownloadService(dataSource, notifications, homeCareAllowance, municipalities),
    municipalities,
    homeCareAllowance,
    recipientImport: new RecipientImportService(dataSource, municipalities),
    notifications,
    notificationImport: new NotificationImportService(dataSource, municipalities),
    purge: new PurgeService(dataSource, clock, options.accessLogRetentionYears),
  };
}
