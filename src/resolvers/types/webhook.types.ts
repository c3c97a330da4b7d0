import { Field, ID, Int, ObjectType } from 'type-graphql';
import type {
  WebhookDeliveryRow,
  WebhookDeliveryStatus,
} from '../../services/webhooks/webhook-endpoint.service';
import { PageInfo } from './notification-connection.type';

@ObjectType({
  simpleResolvers: true,
  description:
    "One event sent, or being sent, to one of the partner system's webhook endpoints. Payloads name ids only: " +
    'fetch the data itself through this API.',
})
export class WebhookDelivery implements Omit<WebhookDeliveryRow, 'status'> {
  @Field(() => ID, { description: 'Identifier of the delivery.' })
  id!: string;

  /** Not exposed: the row rule checks it against the viewer. */
  clientId!: string;

  @Field(() => ID, {
    description: 'The event, as sent in the webhook-id header (the same on every attempt).',
  })
  eventId!: string;

  @Field(() => String, {
    description:
      'notification.created, notification.transferred, home_care_allowance_list.created or social_care_notice.visible.',
  })
  eventType!: string;

  @Field(() => ID, { description: 'The endpoint it is sent to.' })
  endpointId!: string;

  @Field(() => String, { description: "The endpoint's URL." })
  endpointUrl!: string;

  @Field(() => String, {
    description:
      'PENDING (not yet sent, or failed and retried later), DELIVERED (answered 2xx), FAILED (given up after the ' +
      'last attempt) or CANCELLED (the endpoint was removed).',
  })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => Int, {
    nullable: true,
    description: "The HTTP status of the last attempt's answer; null without one.",
  })
  lastStatusCode!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why the last attempt failed (e.g. HTTP 500, ECONNREFUSED); null when it succeeded or none was made.',
  })
  lastError!: string | null;

  @Field(() => Date, { description: 'When the event was queued for this endpoint.' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the next attempt is due, roughly; null unless retrying.',
  })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was delivered; null until then.' })
  deliveredAt!: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'A webhook delivery with its cursor.' })
export class WebhookDeliveryEdge {
  @Field(() => String, { description: 'Opaque position; pass it as `after`.' })
  cursor!: string;

  @Field(() => WebhookDelivery, { description: 'The delivery.' })
  node!: WebhookDelivery;
}

@ObjectType({
  simpleResolvers: true,
  description: "A page of the partner system's webhook deliveries, newest first.",
})
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge], { description: 'The deliveries on this page.' })
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo, { description: 'Whether more follow, and where to continue.' })
  pageInfo!: PageInfo;
}
