import { Field, ID, ObjectType } from 'type-graphql';
import { NotificationChange } from '../../domain/enums';
import type { NotificationChangeEvent } from '../../services/notifications/notification-events.service';

@ObjectType({
  simpleResolvers: true,
  description:
    'Notifications of one municipality that changed the same way, in one committed change. Ids only: read the notifications themselves with `notification(id:)` or the lists.',
})
export class NotificationsChanged implements NotificationChangeEvent {
  @Field(() => String, { description: "The municipality's code, the one subscribed to." })
  municipalityCode!: string;

  @Field(() => NotificationChange, { description: 'What happened to them.' })
  change!: NotificationChange;

  @Field(() => [ID], {
    description: 'The notifications (at most 100; a larger change comes as several events).',
  })
  notificationIds!: string[];

  @Field(() => Date, { description: 'When the change was made (its transaction began).' })
  at!: Date;
}
