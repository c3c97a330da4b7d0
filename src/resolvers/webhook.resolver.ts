import { Arg, Ctx, FieldResolver, Int, Resolver } from 'type-graphql';
import type { Context } from '../auth/context';
import { Viewer } from './types/viewer.type';
import { WebhookDeliveryConnection } from './types/webhook.types';

/** Webhooks (issue 14): a partner system's view of what was sent to its endpoints. */
@Resolver(() => Viewer)
export class ViewerWebhookResolver {
  @FieldResolver(() => WebhookDeliveryConnection, {
    description:
      "A partner system's webhook deliveries to its own endpoints, newest first: what was sent, what failed and " +
      'why, and what is being retried. Partner systems only.',
  })
  webhookDeliveries(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1–100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the previous page.' })
    after?: string | null,
  ) {
    return ctx.services.webhooks.deliveries(ctx.viewer, first, after);
  }
}
