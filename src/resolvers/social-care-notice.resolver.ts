import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { downloadPaths } from '../domain/download-paths';
import { NoticeVisibility } from '../domain/enums';
import { kindRule } from '../domain/social-care';
import type { AuthenticatedViewer } from '../domain/viewer';
import { Municipality } from '../entities/municipality.entity';
import { Person } from '../entities/person.entity';
import { SocialCareNotice, SocialCareNoticeTransfer } from '../entities/social-care-notice.entity';
import { SOCIAL_CARE_NOTICE_KIND_LABELS } from '../i18n/labels';
import { Language } from '../i18n/language';
import { selectsField } from './selection';
import { DateScalar } from './types/date.scalar';
import {
  asMutationResult,
  SocialCareNoticeTransferReceipt,
  TransferSocialCareNoticeResult,
} from './types/mutation-results.type';
import {
  SocialCareNoticeConnection,
  SocialCareNoticeFilter,
  SocialCareRecipient,
} from './types/social-care-notice.types';

/** Mutations run only after the shield rules admitted an authenticated viewer. */
const handler = (ctx: Context) => ctx.viewer as AuthenticatedViewer;

const languageArgument = {
  nullable: true,
  description: "Language of the text; by default the request's Accept-Language (fi, sv, en), else English.",
} as const;

@Resolver(() => SocialCareNotice)
export class SocialCareNoticeResolver {
  @Query(() => SocialCareNoticeConnection, {
    description:
      'Social-care notices of the municipalities you may see (mandate SOCIAL_ASSISTANCE_CLIENT_DATA), newest visible first. A notice is not listed before its visibleFrom.',
  })
  socialCareNotices(
    @Arg('filter', () => SocialCareNoticeFilter, { description: 'Optional conditions; {} for all.' })
    filter: SocialCareNoticeFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1 to 200.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor after which the page starts.' })
    after: string | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.services.socialCareNotices.list(ctx.viewer, filter, first, after, ctx.now, {
      persons: ctx.loaders.person,
      withTotal: selectsField(info, 'totalCount'),
    });
  }

  @Query(() => SocialCareNotice, {
    nullable: true,
    description:
      'One social-care notice; null when it does not exist, is not visible yet or you may not see it.',
  })
  socialCareNotice(@Arg('id', () => ID, { description: 'Notice id.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.socialCareNotices.get(ctx.viewer, id, ctx.now, ctx.loaders.person);
  }

  @Mutation(() => TransferSocialCareNoticeResult, {
    description:
      "Transfer a social-care notice to another municipality (in the same recipient or another one, Åland's and Helsinki included), with a reason. To another recipient you stop seeing it at once.",
  })
  async transferSocialCareNotice(
    @Arg('id', () => ID, { description: 'Notice id.' }) id: string,
    @Arg('municipalityCode', () => String, { description: 'Three-digit code of the receiving municipality.' })
    municipalityCode: string,
    @Arg('reason', () => String, { description: 'Why it is transferred; required, 1 to 1,000 characters.' })
    reason: string,
    @Ctx() ctx: Context,
  ) {
    return asMutationResult(
      await ctx.services.socialCareNoticeChanges.transfer(
        handler(ctx),
        id,
        municipalityCode,
        reason,
        ctx.now,
      ),
    );
  }

  @FieldResolver(() => String, { description: 'The kind as a user reads it, e.g. Kiireellinen hakemus.' })
  kindLabel(
    @Root() notice: SocialCareNotice,
    @Arg('language', () => Language, languageArgument) language: Language | null,
    @Ctx() ctx: Context,
  ): string {
    return SOCIAL_CARE_NOTICE_KIND_LABELS[notice.kind][language ?? ctx.language];
  }

  @FieldResolver(() => NoticeVisibility, {
    description: "When notices of this kind become visible (Kela's rule).",
  })
  visibility(@Root() notice: SocialCareNotice): NoticeVisibility {
    return kindRule(notice.kind).visibility;
  }

  @FieldResolver(() => Municipality, { description: 'The municipality the notice is addressed to now.' })
  municipality(@Root() notice: SocialCareNotice, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(notice.municipalityCode);
  }

  @FieldResolver(() => SocialCareRecipient, {
    description: "The recipient: the municipality's welfare area, the City of Helsinki (HEL) or Åland (AX).",
  })
  recipient(@Root() notice: SocialCareNotice, @Ctx() ctx: Context): SocialCareRecipient {
    return ctx.services.socialCareNotices.recipientOf(notice.municipalityCode);
  }

  @FieldResolver(() => Person, { nullable: true, description: 'The person the notice is about.' })
  person(@Root() notice: SocialCareNotice, @Ctx() ctx: Context) {
    return ctx.loaders.person.load(notice.personId);
  }

  @FieldResolver(() => DateScalar, {
    nullable: true,
    description:
      'The date of the decision on basic income support, for the kinds that follow one (DAY_AFTER_DECISION); else null.',
  })
  decisionOn(@Root() notice: SocialCareNotice): string | null {
    return notice.decisionOn;
  }

  @FieldResolver(() => String, {
    description:
      'Path of the CSV download of this notice (GET with the same bearer token; .xlsx for a workbook, ?lang=fi|sv|en).',
  })
  downloadPath(@Root() notice: SocialCareNotice): string {
    return downloadPaths.socialCareNotice(notice.id);
  }

  @FieldResolver(() => [SocialCareNoticeTransfer], {
    description: 'Earlier transfers between municipalities, oldest first.',
  })
  transfers(@Root() notice: SocialCareNotice, @Ctx() ctx: Context) {
    return ctx.loaders.socialCareTransfers.load(notice.id);
  }
}

@Resolver(() => SocialCareNoticeConnection)
export class SocialCareNoticeConnectionResolver {
  @FieldResolver(() => Int, { description: 'How many visible notices match the filter in all.' })
  totalCount(@Root() connection: SocialCareNoticeConnection): Promise<number> {
    return connection.totalCount();
  }
}

@Resolver(() => SocialCareNoticeTransfer)
export class SocialCareNoticeTransferResolver {
  @FieldResolver(() => Municipality, {
    nullable: true,
    description: 'The municipality it was transferred from.',
  })
  fromMunicipality(@Root() transfer: SocialCareNoticeTransfer, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(transfer.fromMunicipalityCode);
  }

  @FieldResolver(() => Municipality, {
    nullable: true,
    description: 'The municipality it was transferred to.',
  })
  toMunicipality(@Root() transfer: SocialCareNoticeTransfer, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(transfer.toMunicipalityCode);
  }
}

@Resolver(() => SocialCareNoticeTransferReceipt)
export class SocialCareNoticeTransferReceiptResolver {
  @FieldResolver(() => Municipality, { description: 'The municipality it left.' })
  from(@Root() receipt: SocialCareNoticeTransferReceipt, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(receipt.fromMunicipalityCode);
  }

  @FieldResolver(() => Municipality, { description: 'The municipality that now has it.' })
  to(@Root() receipt: SocialCareNoticeTransferReceipt, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(receipt.toMunicipalityCode);
  }
}
