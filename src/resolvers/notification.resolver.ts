import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { AgeSignal } from '../domain/age-signal';
import { downloadPaths } from '../domain/download-paths';
import { NotificationOrder } from '../domain/enums';
import { createdOn, pendingDays, removalDue, removalDueOn } from '../domain/notification-rules';
import type { AuthenticatedViewer } from '../domain/viewer';
import { Municipality } from '../entities/municipality.entity';
import { Notification } from '../entities/notification.entity';
import { NotificationTransfer } from '../entities/notification-transfer.entity';
import { Person } from '../entities/person.entity';
import { selectsField } from './selection';
import { DateScalar } from './types/date.scalar';
import {
  asMutationResult,
  MoveToProcessingResult,
  ReturnToNewResult,
  TransferReceipt,
  TransferResult,
} from './types/mutation-results.type';
import { NotificationConnection } from './types/notification-connection.type';
import { NotificationFilter } from './types/notification-filter.input';

/** Mutations run only after the shield rules admitted an authenticated viewer. */
const handler = (ctx: Context) => ctx.viewer as AuthenticatedViewer;

@Resolver(() => Notification)
export class NotificationResolver {
  @Query(() => NotificationConnection, {
    description:
      'One of the two lists (NEW or IN_PROCESSING), newest first unless orderBy says otherwise, in the municipalities you may see.',
  })
  notifications(
    @Arg('filter', () => NotificationFilter, { description: 'Which list, and optional conditions.' })
    filter: NotificationFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1 to 200.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor after which the page starts.' })
    after: string | null,
    @Arg('orderBy', () => NotificationOrder, {
      defaultValue: NotificationOrder.NEWEST_FIRST,
      description: 'Which end comes first. A cursor is valid only with the orderBy it was returned with.',
    })
    orderBy: NotificationOrder,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.services.notifications.list(ctx.viewer, filter, first, after, ctx.now, {
      persons: ctx.loaders.person,
      withTotal: selectsField(info, 'totalCount'),
      order: orderBy,
    });
  }

  @Query(() => Notification, {
    nullable: true,
    description: 'One notification; null when it does not exist or you may not see it.',
  })
  notification(@Arg('id', () => ID, { description: 'Notification id.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.notifications.get(ctx.viewer, id, ctx.now, ctx.loaders.person);
  }

  @Mutation(() => MoveToProcessingResult, {
    description:
      'Move a NEW notification to processing. One pending over 30 days is removed instead (NotificationRemoved).',
  })
  async moveToProcessing(
    @Arg('id', () => ID, { description: 'Notification id.' }) id: string,
    @Ctx() ctx: Context,
  ) {
    return asMutationResult(
      await ctx.services.notificationChanges.moveToProcessing(handler(ctx), id, ctx.now),
    );
  }

  @Mutation(() => ReturnToNewResult, {
    description: 'Return a notification in processing to NEW. Its 30 days still count from creation.',
  })
  async returnToNew(
    @Arg('id', () => ID, { description: 'Notification id.' }) id: string,
    @Ctx() ctx: Context,
  ) {
    return asMutationResult(await ctx.services.notificationChanges.returnToNew(handler(ctx), id, ctx.now));
  }

  @Mutation(() => TransferResult, {
    description:
      'Transfer a NEW notification to another municipality, with a reason. You stop seeing it at once; the target sees it as NEW.',
  })
  async transferToMunicipality(
    @Arg('id', () => ID, { description: 'Notification id.' }) id: string,
    @Arg('municipalityCode', () => String, { description: 'Three-digit code of the receiving municipality.' })
    municipalityCode: string,
    @Arg('reason', () => String, { description: 'Why it is transferred; required, 1 to 1,000 characters.' })
    reason: string,
    @Ctx() ctx: Context,
  ) {
    return asMutationResult(
      await ctx.services.notificationChanges.transferToMunicipality(
        handler(ctx),
        id,
        municipalityCode,
        reason,
        ctx.now,
      ),
    );
  }

  @FieldResolver(() => Municipality, {
    description: 'The municipality the notification is addressed to now.',
  })
  municipality(@Root() notification: Notification, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(notification.municipalityCode);
  }

  @FieldResolver(() => Person, { nullable: true, description: 'The person the notification is about.' })
  person(@Root() notification: Notification, @Ctx() ctx: Context) {
    return ctx.loaders.person.load(notification.personId);
  }

  @FieldResolver(() => [NotificationTransfer], {
    description: 'Earlier transfers between municipalities, oldest first.',
  })
  transfers(@Root() notification: Notification, @Ctx() ctx: Context) {
    return ctx.loaders.transfers.load(notification.id);
  }

  @FieldResolver(() => Int, {
    description:
      'Calendar days from the creation date to today, both in Finnish time (the pending column): 0 on the day it came, 1 from 00:00 the next day.',
  })
  pendingDays(@Root() notification: Notification, @Ctx() ctx: Context): number {
    return pendingDays(notification.createdAt, ctx.now);
  }

  @FieldResolver(() => AgeSignal, {
    description:
      'How old the notification is as a traffic light, from pendingDays: GREEN, YELLOW, RED (by default 0–14, 15–24, 25 and over; configurable), so that red warns before the 30-day removal.',
  })
  ageSignal(@Root() notification: Notification, @Ctx() ctx: Context): AgeSignal {
    return ctx.services.notifications.ageSignal(notification.createdAt, ctx.now);
  }

  @FieldResolver(() => String, {
    description: 'Path of the CSV download of this notification (GET with the same bearer token).',
  })
  downloadPath(@Root() notification: Notification): string {
    return downloadPaths.notification(notification.id);
  }

  @FieldResolver(() => Date, {
    description:
      'When the notification disappears if it is in processing then: 00:00 Finnish time of pending day 31 (the day after removalDueOn).',
  })
  removalDue(@Root() notification: Notification): Date {
    return removalDue(notification.createdAt);
  }

  @FieldResolver(() => DateScalar, {
    description: 'The date in Finland the notification was created on; pending days count from it.',
  })
  createdOn(@Root() notification: Notification): string {
    return createdOn(notification.createdAt);
  }

  @FieldResolver(() => DateScalar, {
    description:
      'The last day (in Finland) the notification is shown while in processing: createdOn + 30 days, pending day 30.',
  })
  removalDueOn(@Root() notification: Notification): string {
    return removalDueOn(notification.createdAt);
  }
}

@Resolver(() => NotificationConnection)
export class NotificationConnectionResolver {
  @FieldResolver(() => Int, { description: 'How many notifications match the filter in all.' })
  totalCount(@Root() connection: NotificationConnection): Promise<number> {
    return connection.totalCount();
  }
}

@Resolver(() => NotificationTransfer)
export class NotificationTransferResolver {
  @FieldResolver(() => Municipality, {
    nullable: true,
    description: 'The municipality it was transferred from.',
  })
  fromMunicipality(@Root() transfer: NotificationTransfer, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(transfer.fromMunicipalityCode);
  }

  @FieldResolver(() => Municipality, {
    nullable: true,
    description: 'The municipality it was transferred to.',
  })
  toMunicipality(@Root() transfer: NotificationTransfer, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(transfer.toMunicipalityCode);
  }
}

@Resolver(() => TransferReceipt)
export class TransferReceiptResolver {
  @FieldResolver(() => Municipality, { nullable: true, description: 'The municipality it left.' })
  fromMunicipality(@Root() receipt: TransferReceipt, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(receipt.fromMunicipalityCode);
  }

  @FieldResolver(() => Municipality, { nullable: true, description: 'The municipality that now has it.' })
  toMunicipality(@Root() receipt: TransferReceipt, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(receipt.toMunicipalityCode);
  }
}
