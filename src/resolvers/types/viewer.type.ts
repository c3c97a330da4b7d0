import { Field, ObjectType } from 'type-graphql';
import { DataContent, GrantWithheldReason, ViewerKind } from '../../domain/enums';

@ObjectType({
  simpleResolvers: true,
  description: 'Access to one municipality: which data contents, on what grounds.',
})
export class AccessGrant {
  @Field(() => String, { description: 'Three-digit code of the municipality.' })
  municipalityCode!: string;

  @Field(() => [DataContent], { description: 'Data contents visible in that municipality.' })
  dataContents!: DataContent[];

  @Field(() => String, {
    description:
      'What the access rests on: the Suomi.fi mandate issue(s), e.g. INTEGRATION_CLIENT_DATA, or an agreement.',
  })
  purpose!: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "A grant of a person's Suomi.fi mandate that is not in force, and why: the data stays closed until the reason is gone.",
})
export class WithheldGrant {
  @Field(() => String, { description: 'Three-digit code of the municipality.' })
  municipalityCode!: string;

  @Field(() => [DataContent], { description: 'Data contents the mandate would open there but does not.' })
  dataContents!: DataContent[];

  @Field(() => String, { description: 'The Suomi.fi mandate issue(s) the grant comes from.' })
  purpose!: string;

  @Field(() => GrantWithheldReason, { description: 'Why the grant is not in force.' })
  reason!: GrantWithheldReason;
}

@ObjectType({ simpleResolvers: true, description: 'The caller, and what they may see.' })
export class Viewer {
  /** The token subject or client id; not exposed, used to look up a partner's agreements. */
  id!: string;

  @Field(() => ViewerKind, { description: 'A person or a partner system.' })
  kind!: ViewerKind;

  @Field(() => String, { description: "Display name from the token (the person's name or the client id)." })
  name!: string;

  @Field(() => Boolean, {
    description:
      'Whether authentication was strong enough (substantial or high); without it nothing is visible.',
  })
  stronglyAuthenticated!: boolean;

  @Field(() => [AccessGrant], { description: 'Per municipality, the data contents the caller may see.' })
  grants!: AccessGrant[];
}

@ObjectType({
  simpleResolvers: true,
  description: "A partner organisation's agreement with Kela, in force today.",
})
export class PartnerAgreement {
  @Field(() => String, {
    description: 'Identifier of the agreement; access log entries name it as their purpose.',
  })
  id!: string;

  @Field(() => String, { description: 'The organisation that made the agreement.' })
  organisationName!: string;

  @Field(() => String, { description: "The organisation's business ID (Y-tunnus), e.g. 1234567-8." })
  businessId!: string;

  @Field(() => String, { description: 'The legal basis for receiving the data.' })
  legalBasis!: string;

  @Field(() => [DataContent], { description: 'Data contents the agreement covers.' })
  dataContents!: DataContent[];

  @Field(() => [String], { description: 'Codes of the municipalities the agreement covers.' })
  municipalityCodes!: string[];

  @Field(() => String, { description: 'First day in force (YYYY-MM-DD).' })
  validFrom!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Last day in force (YYYY-MM-DD); null when open-ended.',
  })
  validTo!: string | null;
}
