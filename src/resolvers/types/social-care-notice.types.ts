import { Field, InputType, ObjectType } from 'type-graphql';
import { SocialCareNoticeKind } from '../../domain/enums';
import type { SocialCareRecipient as SocialCareRecipientShape } from '../../domain/social-care';
import { SocialCareNotice } from '../../entities/social-care-notice.entity';
import type { SocialCareNoticeFilterShape, SocialCareNoticePage } from '../../services/shapes';
import { PageInfo } from './notification-connection.type';

@InputType({
  description:
    'Which social-care notices to list; every condition is optional and they combine (Kelmu: by kind, area, postal code area or one person).',
})
export class SocialCareNoticeFilter implements SocialCareNoticeFilterShape {
  @Field(() => [SocialCareNoticeKind], { nullable: true, description: 'Only these kinds (at least one).' })
  kinds?: SocialCareNoticeKind[] | null;

  @Field(() => String, {
    nullable: true,
    description: "Only this recipient's municipalities: a welfare area's id (e.g. PO), HEL or AX.",
  })
  recipientId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this municipality (three digits).' })
  municipalityCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only persons whose address has this five-digit postal code.',
  })
  postalCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this person, by personal identity code.' })
  personalIdentityCode?: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "A recipient of Kela's social-care notices: a welfare area, the City of Helsinki (HEL) or Åland (AX).",
})
export class SocialCareRecipient implements SocialCareRecipientShape {
  @Field(() => String, { description: "The welfare area's short id (e.g. PO), HEL or AX." })
  id!: string;

  @Field(() => String, { description: 'Finnish name.' })
  nameFi!: string;

  @Field(() => String, { description: 'Swedish name.' })
  nameSv!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A social-care notice in a list, with its cursor.' })
export class SocialCareNoticeEdge {
  @Field(() => String, { description: 'Opaque position of this item in the list.' })
  cursor!: string;

  @Field(() => SocialCareNotice, { description: 'The notice.' })
  node!: SocialCareNotice;
}

@ObjectType({ simpleResolvers: true, description: 'A page of social-care notices, newest visible first.' })
export class SocialCareNoticeConnection implements SocialCareNoticePage {
  @Field(() => [SocialCareNoticeEdge], { description: 'The notices on this page.' })
  edges!: SocialCareNoticeEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;

  /** Counts on demand (the `totalCount` field resolver), at most once per connection. */
  totalCount!: () => Promise<number>;
}
