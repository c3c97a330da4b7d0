import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { Notification } from '../entities/notification.entity';
import {
  alreadyInMunicipalityMessage,
  invalidTransitionMessage,
  NOTIFICATION_KIND_LABELS,
  NOTIFICATION_STATUS_LABELS,
  transferCannotMoveToProcessingNotice,
} from '../i18n/labels';
import { Language } from '../i18n/language';
import { Labels, labelsIn } from './types/labels.type';
import { InvalidTransition, TransferReceipt } from './types/mutation-results.type';

const languageArgument = {
  nullable: true,
  description: "Language of the text; by default the request's Accept-Language (fi, sv, en), else English.",
} as const;

@Resolver()
export class LabelsResolver {
  @Query(() => Labels, {
    description:
      'Display labels for statuses, kinds, data contents, list columns, actions and error codes in Finnish, Swedish or English. Public: holds no personal data.',
  })
  labels(@Arg('language', () => Language, languageArgument) language: Language | null, @Ctx() ctx: Context) {
    return labelsIn(language ?? ctx.language);
  }
}

@Resolver(() => Notification)
export class NotificationLabelsResolver {
  @FieldResolver(() => String, { description: 'The status as a user reads it, e.g. Käsittelyssä.' })
  statusLabel(
    @Root() notification: Notification,
    @Arg('language', () => Language, languageArgument) language: Language | null,
    @Ctx() ctx: Context,
  ): string {
    return NOTIFICATION_STATUS_LABELS[notification.status][language ?? ctx.language];
  }

  @FieldResolver(() => String, {
    description: 'The kind as a user reads it, e.g. Ilmoitus maahanmuuttajasta.',
  })
  kindLabel(
    @Root() notification: Notification,
    @Arg('language', () => Language, languageArgument) language: Language | null,
    @Ctx() ctx: Context,
  ): string {
    return NOTIFICATION_KIND_LABELS[notification.kind][language ?? ctx.language];
  }
}

@Resolver(() => InvalidTransition)
export class InvalidTransitionResolver {
  @FieldResolver(() => String, { description: 'Why the change is not possible, naming both statuses.' })
  message(
    @Root() refusal: InvalidTransition,
    @Arg('language', () => Language, languageArgument) language: Language | null,
    @Ctx() ctx: Context,
  ): string {
    const lang = language ?? ctx.language;
    if (refusal.alreadyInMunicipalityCode !== undefined)
      return alreadyInMunicipalityMessage(refusal.alreadyInMunicipalityCode, lang);
    return invalidTransitionMessage(refusal.requiredStatus, refusal.currentStatus, lang);
  }
}

@Resolver(() => TransferReceipt)
export class TransferReceiptNoticeResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'What the receiving municipality should know, e.g. that it cannot move the notification to processing; null when nothing.',
  })
  notice(
    @Root() receipt: TransferReceipt,
    @Arg('language', () => Language, languageArgument) language: Language | null,
    @Ctx() ctx: Context,
  ): string | null {
    if (receipt.canMoveToProcessing) return null;
    return transferCannotMoveToProcessingNotice(receipt.pendingDays, language ?? ctx.language);
  }
}
