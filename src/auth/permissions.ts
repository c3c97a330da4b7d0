import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { allow, and, deny, type IRules, or } from 'graphql-shield';
import {
  ForbiddenError,
  InternalError,
  isCodedError,
  ServiceUnavailableError,
  UnauthenticatedError,
} from '../domain/errors';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { isAuthenticated } from '../domain/viewer';
import { logger } from '../logger';
import type { Context } from './context';
import { type OperationShield, operationShield } from './operation-shield';
import {
  canFilterHomeCareAllowanceMunicipality,
  canFilterRequestedMunicipality,
  canFilterSocialCareScope,
  canHandleIntegrationServices,
  canHandleSocialAssistance,
  canReadHomeCareAllowance,
  canReadIntegrationServices,
  canReadSocialAssistance,
  canReviewAccessLog,
  canSeePersonalIdentityCode,
  canSeeRecipientIdentityCode,
  canSeeSocialCarePersonalIdentityCode,
  canSubscribeToMunicipality,
  isAuthenticatedCaller,
  isHomeCareAllowanceListInViewerScope,
  isNotificationInViewerScope,
  isOwnWebhookDelivery,
  isPartnerSystem,
  isSocialCareNoticeInViewerScope,
} from './rules';

/**
 * Every permission in one deny-by-default map mirroring the schema. A type-level rule covers all its fields;
 * a field map may give one field a narrower rule. `test/permissions.test.ts` fails on any field not listed here.
 */
export const permissionMap = {
  Query: {
    viewer: isAuthenticatedCaller,
    municipalities: isAuthenticatedCaller,
    notifications: and(canReadIntegrationServices, canFilterRequestedMunicipality),
    notification: canReadIntegrationServices,
    homeCareAllowanceLists: and(canReadHomeCareAllowance, canFilterHomeCareAllowanceMunicipality),
    homeCareAllowanceList: canReadHomeCareAllowance,
    socialCareNotices: and(canReadSocialAssistance, canFilterSocialCareScope),
    socialCareNotice: canReadSocialAssistance,
    accessLog: canReviewAccessLog,
    // The vocabulary holds no personal data; a sign-in page may show it before anyone authenticates.
    labels: allow,
  },
  Mutation: {
    moveToProcessing: canHandleIntegrationServices,
    returnToNew: canHandleIntegrationServices,
    transferToMunicipality: canHandleIntegrationServices,
    transferSocialCareNotice: canHandleSocialAssistance,
  },
  // Checked when subscribing and again for every event, with the viewer's grants of that moment (src/http/subscriptions.ts).
  Subscription: {
    notificationsChanged: and(canReadIntegrationServices, canSubscribeToMunicipality),
  },
  NotificationsChanged: canReadIntegrationServices,
  Viewer: {
    '*': isAuthenticatedCaller,
    // Webhooks (issue 14): partner systems only, their own endpoints only (the service's SQL and the row rule).
    webhookDeliveries: isPartnerSystem,
  },
  AccessGrant: isAuthenticatedCaller,
  PartnerAgreement: isAuthenticatedCaller,
  WithheldGrant: isAuthenticatedCaller,
  Municipality: isAuthenticatedCaller,
  WelfareArea: isAuthenticatedCaller,
  NotificationConnection: canReadIntegrationServices,
  NotificationEdge: canReadIntegrationServices,
  // Shared by both data contents' connections; the connection and parent field rules decide which content it is.
  PageInfo: or(
    canReadIntegrationServices,
    canReadHomeCareAllowance,
    canReviewAccessLog,
    canReadSocialAssistance,
    isPartnerSystem,
  ),
  Notification: isNotificationInViewerScope,
  NotificationTransfer: canReadIntegrationServices,
  // Shared by notifications and social-care notices: the parent's row rule decides which person may be reached.
  Person: {
    '*': or(canReadIntegrationServices, canReadSocialAssistance),
    personalIdentityCode: or(canSeePersonalIdentityCode, canSeeSocialCarePersonalIdentityCode),
  },
  Address: or(canReadIntegrationServices, canReadHomeCareAllowance, canReadSocialAssistance),
  SocialCareNoticeConnection: canReadSocialAssistance,
  SocialCareNoticeEdge: canReadSocialAssistance,
  SocialCareNotice: isSocialCareNoticeInViewerScope,
  SocialCareNoticeTransfer: canReadSocialAssistance,
  SocialCareRecipient: canReadSocialAssistance,
  SocialCareNoticeTransferReceipt: canHandleSocialAssistance,
  AccessLogConnection: canReviewAccessLog,
  AccessLogEdge: canReviewAccessLog,
  AccessLogEntry: canReviewAccessLog,
  HomeCareAllowanceListConnection: canReadHomeCareAllowance,
  HomeCareAllowanceListEdge: canReadHomeCareAllowance,
  HomeCareAllowanceList: isHomeCareAllowanceListInViewerScope,
  HomeCareAllowanceRowConnection: canReadHomeCareAllowance,
  HomeCareAllowanceRowEdge: canReadHomeCareAllowance,
  HomeCareAllowanceRow: {
    '*': canReadHomeCareAllowance,
    personalIdentityCode: canSeeRecipientIdentityCode,
  },
  // Both handlers' mutations refuse with it.
  InvalidTransition: or(canHandleIntegrationServices, canHandleSocialAssistance),
  NotificationRemoved: canHandleIntegrationServices,
  TransferReceipt: canHandleIntegrationServices,
  WebhookDeliveryConnection: isPartnerSystem,
  WebhookDeliveryEdge: isPartnerSystem,
  WebhookDelivery: isOwnWebhookDelivery,
  Labels: allow,
  NotificationStatusLabel: allow,
  AgeSignalLabel: allow,
  NotificationChangeLabel: allow,
  NotificationKindLabel: allow,
  NotificationCriterionLabel: allow,
  ResidenceBasisLabel: allow,
  SocialCareNoticeKindLabel: allow,
  NoticeVisibilityLabel: allow,
  DataContentLabel: allow,
  ViewerKindLabel: allow,
  ErrorCodeLabel: allow,
  NotificationColumnLabels: allow,
  NotificationActionLabels: allow,
} satisfies IRules;

/**
 * Our coded errors pass through; a denied rule becomes FORBIDDEN (or UNAUTHENTICATED); an unreachable database
 * SERVICE_UNAVAILABLE; anything else INTERNAL.
 */
function fallbackError(
  thrown: unknown,
  _parent: unknown,
  _args: unknown,
  ctx: object,
  info: GraphQLResolveInfo,
) {
  if (isCodedError(thrown)) return thrown;
  if (thrown == null)
    return isAuthenticated((ctx as Context).viewer) ? new ForbiddenError() : new UnauthenticatedError();
  // The database went away or did not answer in time: a coded 503, never the driver's message.
  const { requestId } = (ctx as Context).scope;
  if (isDatabaseUnavailable(thrown)) {
    logger.warn(
      {
        requestId,
        code: (thrown as { code?: string }).code,
        field: `${info.parentType.name}.${info.fieldName}`,
      },
      'database unavailable',
    );
    return new ServiceUnavailableError();
  }
  logger.error(
    { requestId, err: thrown, field: `${info.parentType.name}.${info.fieldName}` },
    'unexpected error in resolver',
  );
  return new InternalError();
}

/**
 * The schema twice, both guarded by the map above: with shield on every field (the reference, which runs any operation
 * the caller is not allowed whole) and with the rules applied per operation and per object (src/auth/operation-shield.ts).
 */
export function shieldedSchemas(buildSchema: () => GraphQLSchema): OperationShield {
  return operationShield(buildSchema, permissionMap, { fallbackRule: deny, fallbackError });
}
