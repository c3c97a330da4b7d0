import { createUnionType, Field, ID, Int, ObjectType } from 'type-graphql';
import { NotificationStatus } from '../../domain/enums';
import { Notification } from '../../entities/notification.entity';
import type {
  InvalidTransitionResult,
  NotificationRemovedResult,
  SocialCareNoticeTransferReceiptResult,
  TransferReceiptResult,
} from '../../services/shapes';

@ObjectType({
  simpleResolvers: true,
  description:
    "The change is not possible from the notification's current status; nothing changed. For a social-care notice (transferSocialCareNotice: already in that municipality), notificationId is the notice's id and both statuses read NEW, as such notices have no status; message says why.",
})
export class InvalidTransition implements Omit<InvalidTransitionResult, 'outcome'> {
  @Field(() => ID, { description: 'The notification.' })
  notificationId!: string;

  @Field(() => NotificationStatus, { description: 'Its status now.' })
  currentStatus!: NotificationStatus;

  @Field(() => NotificationStatus, { description: 'The status the change needs the notification to have.' })
  requiredStatus!: NotificationStatus;

  /** A social-care notice's transfer to where it already is (its message says so); such notices have no status. */
  alreadyInMunicipalityCode?: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'Kela: a notification pending over 30 days cannot be moved to processing; it was removed from the service instead.',
})
export class NotificationRemoved implements Omit<NotificationRemovedResult, 'outcome'> {
  @Field(() => ID, { description: 'The notification that no longer exists.' })
  notificationId!: string;

  @Field(() => Int, { description: 'Whole days it had been pending.' })
  pendingDays!: number;

  @Field(() => Date, { description: 'When it was removed.' })
  removedAt!: Date;
}

@ObjectType({
  simpleResolvers: true,
  description: 'Confirms a transfer. The origin municipality no longer sees the notification.',
})
export class TransferReceipt implements Omit<TransferReceiptResult, 'outcome'> {
  @Field(() => ID, { description: 'The transferred notification.' })
  notificationId!: string;

  @Field(() => String, { description: 'Code of the municipality it left.' })
  fromMunicipalityCode!: string;

  @Field(() => String, { description: 'Code of the municipality that now has it, as NEW.' })
  toMunicipalityCode!: string;

  @Field(() => String, { description: 'The reason given, trimmed.' })
  reason!: string;

  @Field(() => Date, { description: 'When the transfer happened.' })
  transferredAt!: Date;

  @Field(() => Int, { description: 'Whole calendar days in Finland it had been pending at the transfer.' })
  pendingDays!: number;

  @Field(() => Boolean, {
    description:
      'False when it had been pending over 30 days: the receiving municipality cannot move it to processing (the move removes it).',
  })
  canMoveToProcessing!: boolean;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'Confirms the transfer of a social-care notice. To another recipient the origin no longer sees it; within the same recipient the handler still does.',
})
export class SocialCareNoticeTransferReceipt
  implements Omit<SocialCareNoticeTransferReceiptResult, 'outcome'>
{
  @Field(() => ID, { description: 'The transferred notice.' })
  id!: string;

  fromMunicipalityCode!: string;

  toMunicipalityCode!: string;

  @Field(() => String, { description: 'The reason given, trimmed.' })
  reason!: string;

  @Field(() => Date, { description: 'When the transfer happened.' })
  at!: Date;
}

export const TransferSocialCareNoticeResult = createUnionType({
  name: 'TransferSocialCareNoticeResult',
  description:
    'SocialCareNoticeTransferReceipt, or InvalidTransition when the notice is already in that municipality.',
  types: () => [SocialCareNoticeTransferReceipt, InvalidTransition] as const,
});

export const MoveToProcessingResult = createUnionType({
  name: 'MoveToProcessingResult',
  description:
    'Notification (now IN_PROCESSING), NotificationRemoved (was pending over 30 days) or InvalidTransition.',
  types: () => [Notification, NotificationRemoved, InvalidTransition] as const,
});

export const ReturnToNewResult = createUnionType({
  name: 'ReturnToNewResult',
  description: 'Notification (now NEW) or InvalidTransition.',
  types: () => [Notification, InvalidTransition] as const,
});

export const TransferResult = createUnionType({
  name: 'TransferResult',
  description: 'TransferReceipt or InvalidTransition (only NEW notifications can be transferred).',
  types: () => [TransferReceipt, InvalidTransition] as const,
});

type OutcomeResult =
  | InvalidTransitionResult
  | NotificationRemovedResult
  | TransferReceiptResult
  | SocialCareNoticeTransferReceiptResult;
const OUTCOME_CLASSES = {
  InvalidTransition,
  NotificationRemoved,
  TransferReceipt,
  SocialCareNoticeTransferReceipt,
};

/**
 * A service's plain outcome as the class of its GraphQL type, by which the unions above tell their members apart
 * (services do not import these classes: layers run one way). A notification passes as it is.
 */
export function asMutationResult<T extends object>(result: T | OutcomeResult) {
  if (!('outcome' in result)) return result;
  const { outcome, ...fields } = result;
  return Object.assign(new OUTCOME_CLASSES[outcome](), fields);
}
