import { Field, ObjectType } from 'type-graphql';
import { DataContent, ViewerKind } from '../../domain/enums';

@ObjectType({ description: 'Access to one municipality: which data contents, on what grounds.' })
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

@ObjectType({ description: 'The caller, and what they may see.' })
export class Viewer {
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
