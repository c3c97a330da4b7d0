import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../auth/context';
import type { NotificationChangeEvent } from '../services/notifications/notification-events.service';
import { NotificationsChanged } from './types/notifications-changed.type';

@Resolver()
export class NotificationSubscriptionResolver {
  @Subscription(() => NotificationsChanged, {
    description:
      "Changes of one municipality's notifications as they are committed: new ones, moves between the two lists, transfers in and out, removals. Over graphql-ws on /graphql; authorised when subscribing and again for every event.",
    subscribe: ({ args, context }) =>
      (context as Context).services.notificationEvents.subscribe(
        (context as Context).viewer,
        args.municipalityCode as string,
      ),
  })
  notificationsChanged(
    @Root() event: NotificationChangeEvent,
    @Arg('municipalityCode', () => String, {
      description: 'A municipality you hold the mandate or agreement for.',
    })
    _municipalityCode: string,
  ): NotificationChangeEvent {
    return event;
  }
}
