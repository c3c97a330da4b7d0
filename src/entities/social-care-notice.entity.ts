import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { SocialCareNoticeKind } from '../domain/enums';

/**
 * Kela's notice to a welfare area, Helsinki or Åland about a client (Kelmu's service page). Kela creates it; the
 * recipient's handlers may transfer it. Kind rules (visibility, decision, months): src/domain/social-care.ts.
 */
@ObjectType({
  simpleResolvers: true,
  description:
    'A notice Kela sent to a welfare area, the City of Helsinki or Åland about a client (personal data; fi: ilmoitus, sv: anmälan).',
})
@Entity({ name: 'social_care_notice' })
export class SocialCareNotice {
  @Field(() => ID, { description: 'Stable identifier of the notice.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'source_id', type: 'text', unique: true })
  sourceId!: string;

  @Field(() => SocialCareNoticeKind, { description: 'What the notice is about.' })
  @Column({ name: 'kind', type: 'text' })
  kind!: SocialCareNoticeKind;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'municipality_code', type: 'char', length: 3 })
  municipalityCode!: string;

  @Field(() => Date, { description: "When Kela's data arrived." })
  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  /** YYYY-MM-DD; the GraphQL field (a Date) is resolved in the resolver. */
  @Column({ name: 'decision_on', type: 'date', nullable: true })
  decisionOn!: string | null;

  @Field(() => Date, {
    description:
      'From when the recipient sees the notice. Before it the notice is not listed, counted, found by id or downloadable.',
  })
  @Column({ name: 'visible_from', type: 'timestamptz' })
  visibleFrom!: Date;

  @Field(() => Int, {
    nullable: true,
    description: 'Months of basic income support behind the notice, for the kinds counted in months.',
  })
  @Column({ name: 'support_months', type: 'smallint', nullable: true })
  supportMonths!: number | null;

  @Field(() => String, { nullable: true, description: "Kela's free-text additional information." })
  @Column({ name: 'additional_info', type: 'text', nullable: true })
  additionalInfo!: string | null;

  @Field(() => Int, {
    description: 'Increases by one with every change; lets clients notice concurrent edits.',
  })
  @Column({ name: 'version', type: 'integer', default: 1 })
  version!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Kela: a notice that reached the wrong municipality or welfare area may be transferred; the reason is required. */
@ObjectType({
  simpleResolvers: true,
  description: 'A transfer of a social-care notice from one municipality to another.',
})
@Entity({ name: 'social_care_notice_transfer' })
export class SocialCareNoticeTransfer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'notice_id', type: 'uuid' })
  noticeId!: string;

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
