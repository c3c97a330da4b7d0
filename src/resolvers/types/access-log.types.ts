import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { AccessLogEntryShape, AccessLogFilterShape } from '../../services/shapes';
import { PageInfo } from './notification-connection.type';

@InputType({ description: 'Which access log entries to review; all conditions are optional and combine.' })
export class AccessLogFilter implements AccessLogFilterShape {
  @Field(() => Date, { nullable: true, description: 'Entries at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Entries before this time.' })
  to?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only this user (token subject) or partner client id.',
  })
  userId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only entries that returned or changed this notification.',
  })
  notificationId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only entries that returned, changed or downloaded this social-care notice.',
  })
  socialCareNoticeId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Only entries about this person's data. A search by person is itself logged.",
  })
  personalIdentityCode?: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description: 'One access to personal data or one change: who, when, on what grounds, to what.',
})
export class AccessLogEntry implements AccessLogEntryShape {
  @Field(() => ID, { description: 'Position in the hash chain.' })
  id!: string;

  @Field(() => Date, { description: 'When it happened.' })
  occurredAt!: Date;

  @Field(() => String, { description: 'PERSON, PARTNER_SYSTEM or SYSTEM.' })
  actorKind!: string;

  @Field(() => String, { description: 'User id (token subject) or partner client id.' })
  actorId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The municipality whose data it was; for social-care notices their recipient's id (a welfare area such as PO, HEL or AX).",
  })
  organisation!: string | null;

  @Field(() => String, { nullable: true, description: 'The data content.' })
  dataContent!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The mandate issue or agreement the access rested on.',
  })
  purpose!: string | null;

  @Field(() => String, {
    description: 'What was done, e.g. notifications, notification, MOVE_TO_PROCESSING.',
  })
  operation!: string;

  @Field(() => [ID], { description: 'Notifications returned or changed.' })
  notificationIds!: string[];

  @Field(() => [ID], { description: 'Child home care allowance lists returned or downloaded.' })
  listIds!: string[];

  @Field(() => [ID], { description: 'Social-care notices returned, changed or downloaded.' })
  socialCareNoticeIds!: string[];
}

@ObjectType({ simpleResolvers: true, description: 'An access log entry with its cursor.' })
export class AccessLogEdge {
  @Field(() => String, { description: 'Opaque position.' })
  cursor!: string;

  @Field(() => AccessLogEntry, { description: 'The entry.' })
  node!: AccessLogEntry;
}

@ObjectType({ simpleResolvers: true, description: 'A page of access log entries, newest first.' })
export class AccessLogConnection {
  @Field(() => [AccessLogEdge], { description: 'The entries on this page.' })
  edges!: AccessLogEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Entries matching the filter in all.' })
  totalCount!: number;
}
