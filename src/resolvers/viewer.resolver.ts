import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { DataContent } from '../domain/enums';
import { describeViewer } from '../domain/viewer';
import { Municipality } from '../entities/municipality.entity';
import { AccessGrant, PartnerAgreement, Viewer } from './types/viewer.type';

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
