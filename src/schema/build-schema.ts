import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import './register-enums';
import { AccessLogResolver } from '../resolvers/access-log.resolver';
import { HomeCareAllowanceResolver } from '../resolvers/home-care-allowance.resolver';
import {
  InvalidTransitionResolver,
  LabelsResolver,
  NotificationLabelsResolver,
  TransferReceiptNoticeResolver,
} from '../resolvers/labels.resolver';
import { MunicipalityResolver } from '../resolvers/municipality.resolver';
import {
  NotificationConnectionResolver,
  NotificationResolver,
  NotificationTransferResolver,
  TransferReceiptResolver,
} from '../resolvers/notification.resolver';
import { NotificationSubscriptionResolver } from '../resolvers/notification-subscription.resolver';
import {
  SocialCareNoticeConnectionResolver,
  SocialCareNoticeResolver,
  SocialCareNoticeTransferReceiptResolver,
  SocialCareNoticeTransferResolver,
} from '../resolvers/social-care-notice.resolver';
import { AccessGrantResolver, ViewerResolver, WithheldGrantResolver } from '../resolvers/viewer.resolver';
import { ViewerWebhookResolver } from '../resolvers/webhook.resolver';

export const resolvers = [
  AccessGrantResolver,
  WithheldGrantResolver,
  AccessLogResolver,
  HomeCareAllowanceResolver,
  InvalidTransitionResolver,
  TransferReceiptNoticeResolver,
  LabelsResolver,
  MunicipalityResolver,
  NotificationLabelsResolver,
  NotificationConnectionResolver,
  NotificationResolver,
  NotificationSubscriptionResolver,
  NotificationTransferResolver,
  TransferReceiptResolver,
  SocialCareNoticeConnectionResolver,
  SocialCareNoticeResolver,
  SocialCareNoticeTransferReceiptResolver,
  SocialCareNoticeTransferResolver,
  ViewerResolver,
  ViewerWebhookResolver,
] as const;

/**
 * type-graphql insists on a PubSub once the schema has a subscription, although every subscription here names its own
 * `subscribe` (the events come from LISTEN/NOTIFY, src/services/notifications/notification-events.service.ts).
 */
const NO_PUBSUB = {
  publish(): void {
    throw new Error('Subscriptions here publish through PostgreSQL, not a PubSub.');
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error('Every subscription names its own subscribe function.');
  },
};

/** The schema as type-graphql builds it, before the permission middleware is applied. */
export function buildGraphQLSchema(): GraphQLSchema {
  const schema = buildSchemaSync({ resolvers, validate: false, pubSub: NO_PUBSUB });
  // type-graphql cannot describe the root types; frontend teams read these descriptions first.
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  if (query)
    query.description =
      'Reading: who you are, the notification lists, the child home care allowance lists, the social-care notices and reference data.';
  if (mutation) {
    mutation.description =
      'The state changes a handler can make: three on notifications, the transfer of a social-care notice. Nothing deletes a notification or notice on request.';
  }
  if (subscription)
    subscription.description =
      'Changes pushed as they are committed, over the graphql-ws protocol on /graphql (the token in `connection_init`).';
  return schema;
}

/** The committed SDL: sorted, so that every API change shows as a reviewable diff. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
