import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { downloadFileName, downloadPaths } from '../domain/download-paths';
import { HomeCareAllowanceList } from '../entities/home-care-allowance-list.entity';
import { Municipality } from '../entities/municipality.entity';
import {
  HomeCareAllowanceListConnection,
  HomeCareAllowanceRowConnection,
} from './types/home-care-allowance.types';

@Resolver(() => HomeCareAllowanceList)
export class HomeCareAllowanceResolver {
  @Query(() => HomeCareAllowanceListConnection, {
    description:
      'Child home care allowance lists you may see, newest month first. Lists are visible for 24 months from generation.',
  })
  homeCareAllowanceLists(
    @Arg('municipalityCode', () => String, {
      nullable: true,
      description: 'Only this municipality (three digits).',
    })
    municipalityCode: string | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1 to 200.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor after which the page starts.' })
    after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.homeCareAllowance.list(ctx.viewer, municipalityCode, first, after, ctx.now);
  }

  @Query(() => HomeCareAllowanceList, {
    nullable: true,
    description: 'One list; null when it does not exist, has expired, or you may not see it.',
  })
  homeCareAllowanceList(@Arg('id', () => ID, { description: 'List id.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.homeCareAllowance.get(ctx.viewer, id, ctx.now);
  }

  @FieldResolver(() => String, { description: "The list's month as YYYY-MM." })
  month(@Root() list: HomeCareAllowanceList): string {
    return list.monthStart.slice(0, 7);
  }

  @FieldResolver(() => Municipality, { description: 'The municipality the list is for.' })
  municipality(@Root() list: HomeCareAllowanceList, @Ctx() ctx: Context) {
    return ctx.loaders.municipality.load(list.municipalityCode);
  }

  @FieldResolver(() => HomeCareAllowanceRowConnection, {
    description: 'The recipients on the list, in list order.',
  })
  rows(
    @Root() list: HomeCareAllowanceList,
    @Arg('first', () => Int, { defaultValue: 100, description: 'Page size, 1 to 200.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor after which the page starts.' })
    after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.homeCareAllowance.rows(list, first, after);
  }

  @FieldResolver(() => String, {
    description: 'Path of the CSV download (GET with the same bearer token), relative to the service root.',
  })
  downloadPath(@Root() list: HomeCareAllowanceList): string {
    return downloadPaths.homeCareAllowanceList(list.id);
  }

  @FieldResolver(() => String, {
    description: 'File name the download is saved under; tells municipality and month.',
  })
  fileName(@Root() list: HomeCareAllowanceList, @Ctx() ctx: Context): string {
    return downloadFileName.homeCareAllowanceList(
      list,
      ctx.services.municipalities.get(list.municipalityCode),
    );
  }
}
