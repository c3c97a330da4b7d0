import { Field, Int, ObjectType } from 'type-graphql';
import { HomeCareAllowanceList, HomeCareAllowanceRow } from '../../entities/home-care-allowance-list.entity';
import type { HomeCareAllowanceListPage, HomeCareAllowanceRowPage } from '../../services/shapes';
import { PageInfo } from './notification-connection.type';

@ObjectType({ simpleResolvers: true, description: 'A monthly list in a page of lists, with its cursor.' })
export class HomeCareAllowanceListEdge {
  @Field(() => String, { description: 'Opaque position of this list in the page.' })
  cursor!: string;

  @Field(() => HomeCareAllowanceList, { description: 'The list.' })
  node!: HomeCareAllowanceList;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A page of child home care allowance lists, newest month first.',
})
export class HomeCareAllowanceListConnection implements HomeCareAllowanceListPage {
  @Field(() => [HomeCareAllowanceListEdge], { description: 'The lists on this page.' })
  edges!: HomeCareAllowanceListEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;

  @Field(() => Int, {
    description: 'How many lists you may see in all (with the same municipality condition).',
  })
  totalCount!: number;
}

@ObjectType({ simpleResolvers: true, description: 'A recipient on a list, with its cursor.' })
export class HomeCareAllowanceRowEdge {
  @Field(() => String, { description: 'Opaque position of this row in the list.' })
  cursor!: string;

  @Field(() => HomeCareAllowanceRow, { description: 'The recipient.' })
  node!: HomeCareAllowanceRow;
}

@ObjectType({ simpleResolvers: true, description: 'A page of the recipients on one list, in list order.' })
export class HomeCareAllowanceRowConnection implements HomeCareAllowanceRowPage {
  @Field(() => [HomeCareAllowanceRowEdge], { description: 'The rows on this page.' })
  edges!: HomeCareAllowanceRowEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Rows on the list in all.' })
  totalCount!: number;
}
