import { Field, ObjectType } from 'type-graphql';
import { Notification } from '../../entities/notification.entity';
import type { NotificationPage, PageInfoShape } from '../../services/shapes';

@ObjectType({ simpleResolvers: true, description: 'Relay page information.' })
export class PageInfo implements PageInfoShape {
  @Field(() => Boolean, { description: 'Whether more items follow the last one on this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the page's last item; pass it as `after`." })
  endCursor!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A notification in a list, with its cursor.' })
export class NotificationEdge {
  @Field(() => String, { description: 'Opaque position of this item in the list.' })
  cursor!: string;

  @Field(() => Notification, { description: 'The notification.' })
  node!: Notification;
}

@ObjectType({ simpleResolvers: true, description: 'A page of notifications, newest first.' })
export class NotificationConnection implements NotificationPage {
  @Field(() => [NotificationEdge], { description: 'The notifications on this page.' })
  edges!: NotificationEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;

  /**
   * Counts on demand: the `totalCount` field (NotificationConnectionResolver) calls it only when an operation selects
   * it, so that a page without it is one statement. At most one count per connection, however often it is selected.
   */
  totalCount!: () => Promise<number>;
}
