import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { NotificationCriterion, NotificationKind, NotificationStatus, ResidenceBasis } from '../domain/enums';

/**
 * An immigrant notification (ilmoitus maahanmuuttajasta). Kela creates it; handlers only move it between the
 * two lists or transfer it. Municipality, person and transfers are resolved through per-request loaders.
 */
@ObjectType({
  simpleResolvers: true,
  description: 'A notification Kela sent to a municipality about a person (personal data).',
})
@Entity({ name: 'notification' })
export class Notification {
  @Field(() => ID, { description: 'Stable identifier of the notification.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'source_id', type: 'text', unique: true })
  sourceId!: string;

  @Field(() => NotificationKind, { description: 'Kind of notification.' })
  @Column({ name: 'kind', type: 'text' })
  kind!: NotificationKind;

  @Field(() => NotificationStatus, { description: 'Which list the notification is on.' })
  @Column({ name: 'status', type: 'text' })
  status!: NotificationStatus;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'municipality_code', type: 'char', length: 3 })
  municipalityCode!: string;

  @Field(() => String, { nullable: true, description: "Kela's free-text additional information." })
  @Column({ name: 'additional_info', type: 'text', nullable: true })
  additionalInfo!: string | null;

  @Field(() => [NotificationCriterion], {
    description:
      "Which of Kela's benefit criteria the person met (one or both); empty when Kela's direct delivery did not say.",
  })
  @Column({ name: 'criteria', type: 'text', array: true, default: () => "'{}'" })
  criteria!: NotificationCriterion[];

  @Field(() => ResidenceBasis, {
    nullable: true,
    description: "Why the person counts as an immigrant; null when Kela's direct delivery did not say.",
  })
  @Column({ name: 'residence_basis', type: 'text', nullable: true })
  residenceBasis!: ResidenceBasis | null;

  @Field(() => Date, { description: 'When Kela created the notification; pending time counts from here.' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was last moved to processing; null while NEW.' })
  @Column({ name: 'processing_started_at', type: 'timestamptz', nullable: true })
  processingStartedAt!: Date | null;

  @Field(() => Int, {
    description: 'Increases by one with every change; lets clients notice concurrent edits.',
  })
  @Column({ name: 'version', type: 'integer', default: 1 })
  version!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
