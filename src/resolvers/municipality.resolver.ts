import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { Municipality, WelfareArea } from '../entities/municipality.entity';

@Resolver(() => Municipality)
export class MunicipalityResolver {
  @Query(() => [Municipality], {
    description:
      'All 308 municipalities by code, for the transfer picker. Source: Statistics Finland (CC BY 4.0).',
  })
  municipalities(@Ctx() ctx: Context): Municipality[] {
    return ctx.services.municipalities.list();
  }

  @FieldResolver(() => WelfareArea, {
    nullable: true,
    description: 'The welfare area the municipality belongs to; null for Åland, which has none.',
  })
  welfareArea(@Root() municipality: Municipality): WelfareArea | null {
    return municipality.welfareAreaId
      ? {
          id: municipality.welfareAreaId,
          nameFi: municipality.welfareAreaFi ?? '',
          nameSv: municipality.welfareAreaSv ?? '',
        }
      : null;
  }
}
