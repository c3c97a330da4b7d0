import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Source: Posti's postal code file, see data/SOURCES.md. Used to validate and to generate demo addresses. */
@Entity({ name: 'postal_code' })
export class PostalCode {
  @PrimaryColumn({ type: 'char', length: 5 })
  code!: string;

  @Column({ name: 'municipality_code', type: 'char', length: 3 })
  municipalityCode!: string;

  @Column({ name: 'post_office_fi', type: 'text' })
  postOfficeFi!: string;

  @Column({ name: 'post_office_sv', type: 'text' })
  postOfficeSv!: string;

  /** 1 = ordinary street-address code; others are PO boxes, corporate and reply codes. */
  @Column({ name: 'type_code', type: 'smallint' })
  typeCode!: number;
}
