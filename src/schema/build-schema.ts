import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { MunicipalityResolver } from '../resolvers/municipality.resolver';
import {
  NotificationResolver,
  NotificationTransferResolver,
  TransferReceiptResolver,
} from '../resolvers/notification.resolver';
import { AccessGrantResolver, ViewerResolver } from '../resolvers/viewer.resolver';

export const resolvers = [
  AccessGrantResolver,
  MunicipalityResolver,
  NotificationResolver,
  NotificationTransferResolver,
  TransferReceiptResolver,
  ViewerResolver,
] as const;

/** The schema as type-graphql builds it, before the permission middleware is applied. */
export function buildGraphQLSchema(): GraphQLSchema {
  return buildSchemaSync({ resolvers, validate: false });
}

/** The committed SDL: sorted, so that every API change shows as a reviewable diff. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
