import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row per change, written in the change's own transaction. Holds ids, never personal data. */
@Entity({ name: 'audit_event' })
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** PERSON, PARTNER_SYSTEM or SYSTEM (Kela's run, the purge). */
  @Column({ name: 'actor_kind', type: 'text' })
  actorKind!: string;

  /** Token subject or client id; never a personal identity code. */
  @Column({ name: 'actor_id', type: 'text' })
  actorId!: string;

  /** The municipality (or organisation) on whose behalf the actor acted. */
  @Column({ name: 'organisation', type: 'text', nullable: true })
  organisation!: string | null;

  @Column({ name: 'action', type: 'text' })
  action!: string;

  @Column({ name: 'notification_id', type: 'uuid', nullable: true })
  notificationId!: string | null;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'text', nullable: true })
  toStatus!: string | null;

  @Column({ name: 'from_municipality_code', type: 'char', length: 3, nullable: true })
  fromMunicipalityCode!: string | null;

  @Column({ name: 'to_municipality_code', type: 'char', length: 3, nullable: true })
  toMunicipalityCode!: string | null;

  @Column({ name: 'reason', type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'social_care_notice_id', type: 'uuid', nullable: true })
  socialCareNoticeId!: string | null;

  @Column({ name: 'list_id', type: 'uuid', nullable: true })
  listId!: string | null;

  /** Ids and counts only (a download's filter, how many rows): never personal data. */
  @Column({ name: 'details', type: 'jsonb', nullable: true })
  details!: { [key: string]: string | number | boolean | null } | null;
}
