import { AuditEvent } from './audit-event.entity';
import { HomeCareAllowanceList, HomeCareAllowanceRow } from './home-care-allowance-list.entity';
import { Municipality } from './municipality.entity';
import { Notification } from './notification.entity';
import { NotificationTransfer } from './notification-transfer.entity';
import { Person } from './person.entity';
import { PostalCode } from './postal-code.entity';
import { SocialCareNotice, SocialCareNoticeTransfer } from './social-care-notice.entity';

export {
  AuditEvent,
  HomeCareAllowanceList,
  HomeCareAllowanceRow,
  Municipality,
  Notification,
  NotificationTransfer,
  Person,
  PostalCode,
  SocialCareNotice,
  SocialCareNoticeTransfer,
};

/** Entity classes, not globs: test runners load them through their own transform. */
export const entities = [
  AuditEvent,
  HomeCareAllowanceList,
  HomeCareAllowanceRow,
  Municipality,
  Notification,
  NotificationTransfer,
  Person,
  PostalCode,
  SocialCareNotice,
  SocialCareNoticeTransfer,
];
