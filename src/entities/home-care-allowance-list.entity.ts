import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Address } from './person.entity';

/**
 * Kela: on the last weekday of each month, per municipality, a list of the immigrant recipients of child home care
 * allowance living there. Visible and downloadable for 24 months from its generation.
 */
@ObjectType({
  simpleResolvers: true,
  description: 'A monthly list of immigrant recipients of child home care allowance in one municipality.',
})
@Entity({ name: 'home_care_allowance_list' })
export class HomeCareAllowanceList {
  @Field(() => ID, { description: 'Stable identifier of the list.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => String, { description: 'Three-digit code of the municipality the list is for.' })
  @Column({ name: 'municipality_code', type: 'char', length: 3 })
  municipalityCode!: string;

  /** First day of the month, 'YYYY-MM-01'; GraphQL shows it as 'YYYY-MM'. */
  @Column({ name: 'month', type: 'date' })
  monthStart!: string;

  @Field(() => String, {
    description: 'The day the list was generated: the last weekday of the month (YYYY-MM-DD).',
  })
  @Column({ name: 'generated_on', type: 'date' })
  generatedOn!: string;

  @Field(() => Date, { description: 'When the list was generated.' })
  @Column({ name: 'generated_at', type: 'timestamptz' })
  generatedAt!: Date;

  @Field(() => Date, { description: 'generatedAt + 24 months: from then on the list is gone.' })
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Field(() => Int, { description: 'Number of recipients on the list.' })
  @Column({ name: 'row_count', type: 'integer' })
  rowCount!: number;
}

/** One recipient on a list, as it stood on the generation day (a snapshot; later changes do not alter it). */
@ObjectType({
  simpleResolvers: true,
  description: 'A recipient of child home care allowance on a monthly list (personal data).',
})
@Entity({ name: 'home_care_allowance_list_row' })
export class HomeCareAllowanceRow {
  @PrimaryColumn({ name: 'list_id', type: 'uuid' })
  listId!: string;

  @Field(() => Int, { description: 'Position on the list (1 = first), ordered by name.' })
  @PrimaryColumn({ name: 'row_number', type: 'integer' })
  rowNumber!: number;

  @Field(() => String, { nullable: true, description: 'Personal identity code of the recipient.' })
  @Column({ name: 'personal_identity_code', type: 'text' })
  personalIdentityCode!: string;

  @Field(() => String, { nullable: true, description: 'First names.' })
  @Column({ name: 'first_names', type: 'text' })
  firstNames!: string;

  @Field(() => String, { nullable: true, description: 'Last name.' })
  @Column({ name: 'last_name', type: 'text' })
  lastName!: string;

  @Field(() => String, { nullable: true, description: 'Date of birth (YYYY-MM-DD).' })
  @Column({ name: 'date_of_birth', type: 'date' })
  dateOfBirth!: string;

  @Column({ name: 'street', type: 'text' })
  street!: string;

  @Column({ name: 'postal_code', type: 'char', length: 5 })
  postalCode!: string;

  @Column({ name: 'post_office', type: 'text' })
  postOffice!: string;

  @Field(() => Address, { nullable: true, description: 'Address in the municipality.' })
  get address(): Address {
    return { street: this.street, postalCode: this.postalCode, postOffice: this.postOffice };
  }

  @Field(() => String, { nullable: true, description: 'Native language as an ISO 639-1 code.' })
  @Column({ name: 'native_language', type: 'text', nullable: true })
  nativeLanguage!: string | null;

  @Field(() => String, { nullable: true, description: 'Citizenship as an ISO 3166-1 alpha-3 code.' })
  @Column({ name: 'citizenship', type: 'text', nullable: true })
  citizenship!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Phone number, when Kela knows it: the lists exist so that the client can be reached.',
  })
  @Column({ name: 'phone_number', type: 'text', nullable: true })
  phoneNumber!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Start date of the child home care allowance (YYYY-MM-DD).',
  })
  @Column({ name: 'allowance_start', type: 'date' })
  allowanceStartDate!: string;

  @Field(() => Int, { nullable: true, description: 'Number of children the allowance is paid for.' })
  @Column({ name: 'children_count', type: 'smallint' })
  childrenCount!: number;
}
