import 'reflect-metadata';
import { WEBHOOK_HISTORY_DAYS } from '../domain/webhooks';
import { refuseArguments } from './args';
import { type OpenCommand, runCommand } from './run-command';

const USAGE = `Usage: npm run purge

The daily purge by hand: notifications in processing pending over 30 days, child home care allowance lists older than
24 months, social-care notices visible for SOCIAL_CARE_NOTICE_RETENTION_DAYS, access log entries older than
ACCESS_LOG_RETENTION_YEARS. Reads the same environment as npm start.`;

/** `npm run purge`: the daily purge by hand. */
async function main(open: OpenCommand): Promise<number> {
  refuseArguments(USAGE);
  const { config, services } = await open();
  const removed = await services.purge.purgeAll();
  console.log(
    `Removed ${removed.notifications} notification(s) in processing and pending over 30 days, ` +
      `${removed.homeCareAllowanceLists} child home care allowance list(s) older than 24 months, ` +
      `${removed.socialCareNotices} social-care notice(s) visible for ${config.socialCareNoticeRetentionDays} days, ` +
      `${removed.accessLogEntries} access log ${removed.accessLogEntries === 1 ? 'entry' : 'entries'} older than ` +
      `${config.accessLogRetentionYears} years and ${removed.webhookEvents} webhook event(s) dispatched over ` +
      `${WEBHOOK_HISTORY_DAYS} days ago.`,
  );
  return 0;
}

runCommand(main);
