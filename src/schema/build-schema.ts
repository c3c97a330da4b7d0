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
  NotificationTransferResolver,
  TransferReceiptResolver,
  ViewerResolver,
  ViewerWebhookResolver,
] as const;

/** The schema as type-graphql builds it, before the permission middleware is applied. */
export function buildGraphQLSchema(): GraphQLSchema {
  const schema = buildSchemaSync({ resolvers, validate: false });
  // type-graphql cannot describe the root types; frontend teams read these descriptions first.
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  if (query)
    query.description =
      'Reading: who you are, the notification lists, the child home care allowance lists and reference data.';
  if (mutation) {
    mutation.description =
      'The three state changes a handler can make. Nothing deletes a notification on request.';
  }
  return schema;
}

/** The committed SDL: sorted, so that every API change shows as a reviewable diff. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
