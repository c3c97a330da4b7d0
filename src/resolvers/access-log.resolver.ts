import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../auth/context';
import { AccessLogConnection, AccessLogFilter } from './types/access-log.types';

@Resolver()
export class AccessLogResolver {
  @Query(() => AccessLogConnection, {
    description:
      "Review who used the organisation's data (mandate ACCESS_LOG_REVIEW), newest first, over your municipalities only (and the recipients of social-care notices whose municipalities you all review, e.g. a welfare-area mandate).",
  })
  accessLog(
    @Arg('filter', () => AccessLogFilter, { description: 'Conditions; all optional.' })
    filter: AccessLogFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1 to 200.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor after which the page starts.' })
    after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.accessLog.search(ctx.viewer, filter, first, after, ctx.now);
  }
}
