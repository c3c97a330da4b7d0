import type { EntityManager } from 'typeorm';
import { DataContent } from '../domain/enums';
import type { AccessGrant, AuthenticatedViewer } from '../domain/viewer';
import { AuditEvent } from '../entities/audit-event.entity';
import { appendAccessLog, purposeOf } from './access-log.service';

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
  | 'DOWNLOAD_NOTIFICATIONS'
  | 'IMPORT_SOCIAL_CARE_NOTICE'
  | 'TRANSFER_SOCIAL_CARE_NOTICE'
  | 'DOWNLOAD_SOCIAL_CARE_NOTICES'
  | 'PURGE_EXPIRED_SOCIAL_CARE_NOTICES';

export interface Actor {
  kind: string;
  id: string;
  /** A person's or partner's grants: the purpose of their accesses. Absent for Kela's own runs. */
  grants?: AccessGrant[];
}

export const SYSTEM_ACTORS = {
  import: { kind: 'SYSTEM', id: 'kela-notification-import' },
  purge: { kind: 'SYSTEM', id: 'purge' },
  monthlyLists: { kind: 'SYSTEM', id: 'home-care-allowance-lists' },
  weeklyRun: { kind: 'SYSTEM', id: 'kela-weekly-immigrant-run' },
  socialCareImport: { kind: 'SYSTEM', id: 'kela-social-care-notice-import' },
  socialCareDailyRun: { kind: 'SYSTEM', id: 'kela-daily-social-care-run' },
} as const satisfies Record<string, Actor>;

export function actorOf(viewer: AuthenticatedViewer): Actor {
  return { kind: viewer.kind, id: viewer.id, grants: viewer.grants };
}

export type AuditRecord = Omit<Partial<AuditEvent>, 'id' | 'actorKind' | 'actorId'> & {
  action: AuditAction;
  occurredAt: Date;
};

/** What a social-care notice's audit row accessed, for its access-log entry. */
export interface SocialCareAccess {
  /** Further notices read besides `record.socialCareNoticeId` (a download's rows). */
  noticeIds?: string[];
  /** The municipality whose grant the access rests on (the purpose); the entry's organisation is the recipient's. */
  municipalityCode: string | null;
}

/** Kela's onboarding rules: the organisation must be able to monitor use. Written inside the change's transaction. */
export async function recordAudit(
  manager: EntityManager,
  actor: Actor,
  record: AuditRecord,
  /** For bulk reads such as a CSV download: every notification it returned. */
  accessedNotificationIds: string[] = [],
  /** A social-care notice's change or download: logged under SOCIAL_ASSISTANCE with the notices' ids. */
  socialCare?: SocialCareAccess,
): Promise<void> {
  await manager.insert(AuditEvent, { ...record, actorKind: actor.kind, actorId: actor.id });
  // A person's or partner's change or download is also an access to personal data: same transaction, same outcome.
  if (!actor.grants) return;
  const organisation = record.organisation ?? null;
  if (record.socialCareNoticeId != null || socialCare) {
    const ids = [
      ...(record.socialCareNoticeId != null ? [record.socialCareNoticeId] : []),
      ...(socialCare?.noticeIds ?? []),
    ];
    await appendAccessLog(manager, [
      {
        occurredAt: record.occurredAt,
        actorKind: actor.kind,
        actorId: actor.id,
        // Under the organisation of the recipient (welfare area, HEL or AX); the purpose is the municipality's grant.
        organisation,
        dataContent: DataContent.SOCIAL_ASSISTANCE,
        purpose: purposeOf(actor.grants, socialCare?.municipalityCode ?? record.fromMunicipalityCode ?? null),
        operation: record.action,
        socialCareNoticeIds: ids,
      },
    ]);
    return;
  }
  await appendAccessLog(manager, [
    {
      occurredAt: record.occurredAt,
      actorKind: actor.kind,
      actorId: actor.id,
      organisation,
      dataContent: record.listId
        ? DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE
        : DataContent.INTEGRATION_SERVICES,
      purpose: purposeOf(actor.grants, organisation),
      operation: record.action,
      notificationIds: record.notificationId
        ? [record.notificationId, ...accessedNotificationIds]
        : accessedNotificationIds,
      ...(record.listId ? { listIds: [record.listId] } : {}),
    },
  ]);
}
