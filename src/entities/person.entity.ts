import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ simpleResolvers: true, description: 'A postal address in Finland.' })
export class Address {
  @Field(() => String, { description: 'Street address, e.g. Kauppapuistikko 1 A 2.' })
  street!: string;

  @Field(() => String, { description: 'Five-digit postal code (fi: postinumero, sv: postnummer).' })
  postalCode!: string;

  @Field(() => String, { description: 'Post office, e.g. VAASA.' })
  postOffice!: string;
}

/**
 * The person a notification is about, as Kela delivered them. Personal data: every field is guarded by
 * the integration-services data content in the permission map.
 */
@ObjectType({ simpleResolvers: true, description: 'The person a notification concerns (personal data).' })
@Entity({ name: 'person' })
export class Person {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Finnish personal identity code (fi: henkilötunnus, sv: personbeteckning), e.g. 100190-999P.',
  })
  @Column({ name: 'personal_identity_code', type: 'text', unique: true })
  personalIdentityCode!: string;

  @Field(() => String, { nullable: true, description: 'First names, space separated.' })
  @Column({ name: 'first_names', type: 'text' })
  firstNames!: string;

  @Field(() => String, { nullable: true, description: 'Last name.' })
  @Column({ name: 'last_name', type: 'text' })
  lastName!: string;

  @Field(() => String, { nullable: true, description: 'Date of birth as an ISO 8601 date (YYYY-MM-DD).' })
  @Column({ name: 'date_of_birth', type: 'date' })
  dateOfBirth!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Native language as an ISO 639-1 code, e.g. ar, ru, so.',
  })
  @Column({ name: 'native_language', type: 'text', nullable: true })
  nativeLanguage!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Citizenship as an ISO 3166-1 alpha-3 code, e.g. SYR.',
  })
  @Column({ name: 'citizenship', type: 'text', nullable: true })
  citizenship!: string | null;

  @Column({ name: 'street', type: 'text' })
  street!: string;

  @Column({ name: 'postal_code', type: 'char', length: 5 })
  postalCode!: string;

  @Column({ name: 'post_office', type: 'text' })
  postOffice!: string;

  @Field(() => Address, { nullable: true, description: 'Permanent address in Finland.' })
  get address(): Address {
    return { street: this.street, postalCode: this.postalCode, postOffice: this.postOffice };
  }

  @Field(() => String, { nullable: true, description: 'Phone number, when Kela knows it.' })
  @Column({ name: 'phone_number', type: 'text', nullable: true })
  phoneNumber!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Start date of the first residence permit (ISO 8601 date); null for EU/EEA citizens.',
  })
  @Column({ name: 'first_residence_permit_start', type: 'date', nullable: true })
  firstResidencePermitStart!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether the person is an EU/EEA citizen.' })
  @Column({ name: 'eu_eea_citizen', type: 'boolean' })
  euEeaCitizen!: boolean;
}
