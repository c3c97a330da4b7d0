import { Field, InputType } from 'type-graphql';
import { AgeSignal } from '../../domain/age-signal';
import { NotificationStatus } from '../../domain/enums';
import type { NotificationFilterShape } from '../../services/shapes';

@InputType({
  description:
    'Which notifications to list. Status picks the list; the other conditions are optional (Kelmu: postal code area or one person).',
})
export class NotificationFilter implements NotificationFilterShape {
  @Field(() => NotificationStatus, { description: 'NEW or IN_PROCESSING: the two lists.' })
  status!: NotificationStatus;

  @Field(() => String, {
    nullable: true,
    description:
      'Only this municipality (three digits). Without it the list spans every municipality you may see.',
  })
  municipalityCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only persons whose address has this five-digit postal code.',
  })
  postalCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this person, by personal identity code.' })
  personalIdentityCode?: string | null;

  @Field(() => AgeSignal, {
    nullable: true,
    description: 'Only notifications whose ageSignal is this today (by pending days in Finland).',
  })
  ageSignal?: AgeSignal | null;
}
