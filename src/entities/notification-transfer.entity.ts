import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Kela: a handler may transfer a notification to any municipality; the reason is required. */
@ObjectType({
  simpleResolvers: true,
  description: 'A transfer of a notification from one municipality to another.',
})
@Entity({ name: 'notification_transfer' })
export class NotificationTransfer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @Field(() => String, { description: 'Code of the municipality it was transferred from.' })
  @Column({ name: 'from_municipality_code', type: 'char', length: 3 })
  fromMunicipalityCode!: string;

  @Field(() => String, { description: 'Code of the municipality it was transferred to.' })
  @Column({ name: 'to_municipality_code', type: 'char', length: 3 })
  toMunicipalityCode!: string;

  @Field(() => String, { description: "The handler's reason for the transfer." })
  @Column({ name: 'reason', type: 'text' })
  reason!: string;

  @Field(() => Date, { description: 'When the transfer happened.' })
  @Column({ name: 'transferred_at', type: 'timestamptz' })
  transferredAt!: Date;
}
