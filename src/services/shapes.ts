import type { AgeSignal } from '../domain/age-signal';
import type { NotificationStatus, SocialCareNoticeKind } from '../domain/enums';
import type {
  HomeCareAllowanceList,
  HomeCareAllowanceRow,
} from '../entities/home-care-allowance-list.entity';
import type { Notification } from '../entities/notification.entity';
import type { SocialCareNotice } from '../entities/social-care-notice.entity';

/**
 * The filters services take and the pages they return, as plain shapes: services do not import the GraphQL types of
 * src/resolvers/types, whose classes implement these (layers run one way).
 */

export interface PageInfoShape {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Page<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfoShape;
}

export interface NotificationFilterShape {
  status: NotificationStatus;
  municipalityCode?: string | null;
  postalCode?: string | null;
  personalIdentityCode?: string | null;
  ageSignal?: AgeSignal | null;
}

export interface NotificationPage extends Page<Notification> {
  /** Counts on demand, at most once per page (see NotificationConnection). */
  totalCount: () => Promise<number>;
}

export interface AccessLogFilterShape {
  from?: Date | null;
  to?: Date | null;
  userId?: string | null;
  notificationId?: string | null;
  socialCareNoticeId?: string | null;
  personalIdentityCode?: string | null;
}

/** What every access-log entry records, written or read back: who, when, on whose data, why and how. */
export interface AccessRecord {
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  /** The municipality on whose data the access was (the organisation that must be able to review it). */
  organisation: string | null;
  dataContent: string | null;
  /** The mandate issue or agreement the access rested on. */
  purpose: string | null;
  operation: string;
}

export interface AccessLogEntryShape extends AccessRecord {
  id: string;
  notificationIds: string[];
  listIds: string[];
  socialCareNoticeIds: string[];
}

export interface HomeCareAllowanceListPage extends Page<HomeCareAllowanceList> {
  totalCount: number;
}

export interface HomeCareAllowanceRowPage extends Page<HomeCareAllowanceRow> {
  totalCount: number;
}

/** A change refused because the notification's status does not allow it; nothing changed. */
export interface InvalidTransitionResult {
  outcome: 'InvalidTransition';
  notificationId: string;
  currentStatus: NotificationStatus;
  requiredStatus: NotificationStatus;
  /** A social-care notice (which has no status) transferred to the municipality it is already in: that code. */
  alreadyInMunicipalityCode?: string;
}

/** A notification pending over 30 days, removed instead of moved to processing. */
export interface NotificationRemovedResult {
  outcome: 'NotificationRemoved';
  notificationId: string;
  pendingDays: number;
  removedAt: Date;
}

/** A done transfer. */
export interface TransferReceiptResult {
  outcome: 'TransferReceipt';
  notificationId: string;
  fromMunicipalityCode: string;
  toMunicipalityCode: string;
  reason: string;
  transferredAt: Date;
  /** Calendar days in Finland it has been pending, as on the day of the transfer. */
  pendingDays: number;
  /** False when pending over 30 days: a move to processing at the receiving municipality removes it. */
  canMoveToProcessing: boolean;
}

export interface SocialCareNoticeFilterShape {
  kinds?: SocialCareNoticeKind[] | null;
  recipientId?: string | null;
  municipalityCode?: string | null;
  postalCode?: string | null;
  personalIdentityCode?: string | null;
}

export interface SocialCareNoticePage extends Page<SocialCareNotice> {
  /** Counts on demand, at most once per page (see SocialCareNoticeConnection). */
  totalCount: () => Promise<number>;
}

/** A social-care notice moved to another municipality; `id` is the notice's. */
export interface SocialCareNoticeTransferReceiptResult {
  outcome: 'SocialCareNoticeTransferReceipt';
  id: string;
  fromMunicipalityCode: string;
  toMunicipalityCode: string;
  reason: string;
  at: Date;
}
