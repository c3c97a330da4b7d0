import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@ObjectType({
  simpleResolvers: true,
  description: 'A welfare area (fi: hyvinvointialue, sv: välfärdsområde).',
})
export class WelfareArea {
  @Field(() => String, { description: "Short identifier of the welfare area (Yle's area id), e.g. 'PO'." })
  id!: string;

  @Field(() => String, { description: 'Finnish name.' })
  nameFi!: string;

  @Field(() => String, { description: 'Swedish name.' })
  nameSv!: string;
}

/** Source: Statistics Finland's municipality classification 2025 (CC BY 4.0), see data/SOURCES.md. */
@ObjectType({ simpleResolvers: true, description: 'A Finnish municipality (fi: kunta, sv: kommun).' })
@Entity({ name: 'municipality' })
export class Municipality {
  @Field(() => String, { description: "Three-digit municipality code, e.g. '905' for Vaasa." })
  @PrimaryColumn({ type: 'char', length: 3 })
  code!: string;

  @Field(() => String, { description: 'Finnish name, e.g. Vaasa.' })
  @Column({ name: 'name_fi', type: 'text' })
  nameFi!: string;

  @Field(() => String, {
    description: 'Swedish name, e.g. Vasa (the Finnish name where there is no Swedish one).',
  })
  @Column({ name: 'name_sv', type: 'text' })
  nameSv!: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn!: string;

  @Column({ name: 'welfare_area_id', type: 'text', nullable: true })
  welfareAreaId!: string | null;

  @Column({ name: 'welfare_area_fi', type: 'text', nullable: true })
  welfareAreaFi!: string | null;

  @Column({ name: 'welfare_area_sv', type: 'text', nullable: true })
  welfareAreaSv!: string | null;

  @Column({ name: 'population', type: 'integer' })
  population!: number;
}
