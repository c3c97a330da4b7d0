import type { DataSource } from 'typeorm';
import { DataContent, NotificationStatus } from '../../domain/enums';
import { NotFoundError } from '../../domain/errors';
import { isUuid, requireReason } from '../../domain/validation';
import { type AuthenticatedViewer, municipalitiesFor } from '../../domain/viewer';
import { SocialCareNotice, SocialCareNoticeTransfer } from '../../entities/social-care-notice.entity';
import { actorOf, recordAudit } from '../audit.service';
import type { MunicipalityService } from '../municipality.service';
import type { InvalidTransitionResult, SocialCareNoticeTransferReceiptResult } from '../shapes';

/** Social-care notices change in one way: a transfer to another municipality. */
export class SocialCareNoticeChangeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
  ) {}

  /**
   * Kela: "a notice that reached the wrong municipality or welfare area can be transferred by the welfare area's
   * handler to another municipality in the same area or in another one, without contacting Kela". One transaction
   * that locks the notice in the viewer's scope (and visible), so that concurrent transfers queue and one wins; the
   * version goes up, a transfer row and an audit row (with its access-log entry) are written.
   */
  async transfer(
    viewer: AuthenticatedViewer,
    id: string,
    municipalityCode: string,
    reason: string,
    now: Date,
  ): Promise<SocialCareNoticeTransferReceiptResult | InvalidTransitionResult> {
    const target = this.municipalities.requireKnown('municipalityCode', municipalityCode);
    const trimmedReason = requireReason('reason', reason);
    if (!isUuid(id)) throw new NotFoundError('Social-care notice');
    return this.dataSource.transaction(async (manager) => {
      const scope = municipalitiesFor(viewer, DataContent.SOCIAL_ASSISTANCE);
      const notice = await manager
        .getRepository(SocialCareNotice)
        .createQueryBuilder('s')
        .setLock('pessimistic_write')
        .where('s.id = :id AND s.municipality_code = ANY(:scope) AND s.visible_from <= :now', {
          id,
          scope,
          now,
        })
        .getOne();
      if (!notice) throw new NotFoundError('Social-care notice');
      const from = notice.municipalityCode;
      if (from === target) {
        // Social-care notices have no status: the refusal names the municipality it is already in.
        return {
          outcome: 'InvalidTransition',
          notificationId: notice.id,
          currentStatus: NotificationStatus.NEW,
          requiredStatus: NotificationStatus.NEW,
          alreadyInMunicipalityCode: from,
        } satisfies InvalidTransitionResult;
      }
      await manager.insert(SocialCareNoticeTransfer, {
        noticeId: notice.id,
        fromMunicipalityCode: from,
        toMunicipalityCode: target,
        reason: trimmedReason,
        transferredAt: now,
      });
      await manager.update(
        SocialCareNotice,
        { id: notice.id },
        { municipalityCode: target, version: notice.version + 1, updatedAt: now },
      );
      await recordAudit(
        manager,
        actorOf(viewer),
        {
          action: 'TRANSFER_SOCIAL_CARE_NOTICE',
          occurredAt: now,
          organisation: this.municipalities.recipientOf(from)?.id ?? null,
          socialCareNoticeId: notice.id,
          fromMunicipalityCode: from,
          toMunicipalityCode: target,
          reason: trimmedReason,
        },
        [],
        { municipalityCode: from },
      );
      return {
        outcome: 'SocialCareNoticeTransferReceipt',
        id: notice.id,
        fromMunicipalityCode: from,
        toMunicipalityCode: target,
        reason: trimmedReason,
        at: now,
      } satisfies SocialCareNoticeTransferReceiptResult;
    });
  }
}
