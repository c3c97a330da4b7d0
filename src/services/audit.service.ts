import type { EntityManager } from 'typeorm';
import type { AuthenticatedViewer } from '../auth/viewer';
import { AuditEvent } from '../entities/audit-event.entity';

export type AuditAction =
  | 'IMPORT'
  | 'MOVE_TO_PROCESSING'
  | 'REMOVE_EXPIRED_ON_MOVE'
  | 'RETURN_TO_NEW'
  | 'TRANSFER_TO_MUNICIPALITY'
  | 'PURGE_EXPIRED'
  | 'GENERATE_HOME_CARE_ALLOWANCE_LISTS'
  | 'PURGE_EXPIRED_HOME_CARE_ALLOWANCE_LISTS'
  | 'DOWNLOAD_HOME_CARE_ALLOWANCE_LIST'
  | 'DOWNLOAD_NOTIFICATIONS';

export interface Actor {
  kind: string;
  id: string;
}

export const SYSTEM_ACTORS = {
  import: { kind: 'SYSTEM', id: 'kela-notification-import' },
  purge: { kind: 'SYSTEM', id: 'purge' },
  monthlyLists: { kind: 'SYSTEM', id: 'home-care-allowance-lists' },
  weeklyRun: { kind: 'SYSTEM', id: 'kela-weekly-immigrant-run' },
} as const satisfies Record<string, Actor>;

export function actorOf(viewer: AuthenticatedViewer): Actor {
  return { kind: viewer.kind, id: viewer.id };
}

export type AuditRecord = Omit<Partial<AuditEvent>, 'id' | 'actorKind' | 'actorId'> & {
  action: AuditAction;
  occurredAt: Date;
};

/** Kela's onboarding rules: the organisation must be able to monitor use. Written inside the change's transaction. */
export async function recordAudit(manager: EntityManager, actor: Actor, record: AuditRecord): Promise<void> {
  await manager.insert(AuditEvent, { ...record, actorKind: actor.kind, actorId: actor.id });
}
