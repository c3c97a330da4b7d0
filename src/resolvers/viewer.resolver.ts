import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { DataContent } from '../domain/enums';
import { describeViewer } from '../domain/viewer';
import { Municipality } from '../entities/municipality.entity';
import { GRANT_WITHHELD_MESSAGES } from '../i18n/labels';
import { Language } from '../i18n/language';
import { AccessGrant, PartnerAgreement, Viewer, WithheldGrant } from './types/viewer.type';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'Who you are and which municipalities and data contents you may see.' })
  viewer(@Ctx() ctx: Context): Viewer {
    return describeViewer(ctx.viewer);
  }

  @FieldResolver(() => [Municipality], {
    description: 'Every municipality with at least one visible data content.',
  })
  municipalities(@Root() viewer: Viewer, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.loadMany(viewer.grants.map((grant) => grant.municipalityCode));
  }

  @FieldResolver(() => [PartnerAgreement], {
    description:
      "A partner system's agreements in force today, which its grants come from; empty for persons.",
  })
  agreements(@Ctx() ctx: Context) {
    return ctx.agreements;
  }

  @FieldResolver(() => [WithheldGrant], {
    description:
      "A person's grants from mandates that are not in force, and why (e.g. no organisation agreement with Kela); empty when all are, and for partner systems.",
  })
  withheldGrants(@Ctx() ctx: Context) {
    return ctx.withheldGrants;
  }

  @FieldResolver(() => [DataContent], {
    description: 'Every data content visible in at least one municipality.',
  })
  dataContents(@Root() viewer: Viewer): DataContent[] {
    return [...new Set(viewer.grants.flatMap((grant) => grant.dataContents))].sort();
  }
}

@Resolver(() => AccessGrant)
export class AccessGrantResolver {
  @FieldResolver(() => Municipality, { nullable: true, description: 'The municipality.' })
  municipality(@Root() grant: AccessGrant, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(grant.municipalityCode);
  }
}

@Resolver(() => WithheldGrant)
export class WithheldGrantResolver {
  @FieldResolver(() => Municipality, { nullable: true, description: 'The municipality.' })
  municipality(@Root() grant: WithheldGrant, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(grant.municipalityCode);
  }

  @FieldResolver(() => String, {
    description:
      "Why the grant is withheld, for the person to read; in the request's language unless `language` says.",
  })
  message(
    @Root() grant: WithheldGrant,
    @Ctx() ctx: Context,
    @Arg('language', () => Language, {
      nullable: true,
      description:
        "Language of the text; by default the request's Accept-Language (fi, sv, en), else English.",
    })
    language?: Language | null,
  ): string {
    return GRANT_WITHHELD_MESSAGES[grant.reason][language ?? ctx.language];
  }
}
