import type { DataSource, EntityManager } from 'typeorm';
import { deleteOrphanPersons } from '../../db/persons';
import { DataContent } from '../../domain/enums';
import { BadUserInputError, NotFoundError } from '../../domain/errors';
import {
  isPendingOverRemovalLimit,
  isVisible,
  type NotificationAction,
  pendingDays,
  TRANSITIONS,
} from '../../domain/notification-rules';
import { isUuid, requireReason } from '../../domain/validation';
import { type AuthenticatedViewer, municipalitiesFor } from '../../domain/viewer';
import { Notification } from '../../entities/notification.entity';
import { NotificationTransfer } from '../../entities/notification-transfer.entity';
import { actorOf, recordAudit } from '../audit.service';
import type { MunicipalityService } from '../municipality.service';
import type { InvalidTransitionResult, NotificationRemovedResult, TransferReceiptResult } from '../shapes';

/** The three state changes of immigrant notifications, each one transaction, and the 30-day rule on moving. */
export class NotificationChangeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
  ) {}

  /**
   * Kela: the handler moves a new notification to processing so that others see it is being handled;
   * one already pending over 30 days cannot be moved and disappears from the service instead.
   */
  moveToProcessing(viewer: AuthenticatedViewer, id: string, now: Date) {
    return this.change(viewer, id, now, 'MOVE_TO_PROCESSING', async (manager, notification) => {
      if (isPendingOverRemovalLimit(notification.createdAt, now)) {
        // Logged first, while the person can still be keyed for a review by person.
        await recordAudit(manager, actorOf(viewer), {
          action: 'REMOVE_EXPIRED_ON_MOVE',
          occurredAt: now,
          organisation: notification.municipalityCode,
          notificationId: notification.id,
          fromStatus: notification.status,
          reason: 'Pending over 30 days when moved to processing',
        });
        await manager.delete(Notification, { id: notification.id });
        await deleteOrphanPersons(manager, [notification.personId]);
        return {
          outcome: 'NotificationRemoved',
          notificationId: notification.id,
          pendingDays: pendingDays(notification.createdAt, now),
          removedAt: now,
        } satisfies NotificationRemovedResult;
      }
      await this.applyStatus(manager, viewer, notification, 'MOVE_TO_PROCESSING', now, {
        processingStartedAt: now,
      });
      return notification;
    });
  }

  /** Kela: a notification in processing can be returned to New; the 30 days still count from creation. */
  returnToNew(viewer: AuthenticatedViewer, id: string, now: Date) {
    return this.change(viewer, id, now, 'RETURN_TO_NEW', async (manager, notification) => {
      await this.applyStatus(manager, viewer, notification, 'RETURN_TO_NEW', now, {
        processingStartedAt: null,
      });
      return notification;
    });
  }

  /**
   * Kela: a notification sent to the wrong municipality may be transferred to any other one, across welfare
   * areas too, with a required reason; it leaves the handler's view at once. No mandate is needed at the target.
   */
  async transferToMunicipality(
    viewer: AuthenticatedViewer,
    id: string,
    municipalityCode: string,
    reason: string,
    now: Date,
  ) {
    const target = this.municipalities.requireKnown('municipalityCode', municipalityCode);
    const trimmedReason = requireReason('reason', reason);
    return this.change(viewer, id, now, 'TRANSFER_TO_MUNICIPALITY', async (manager, notification) => {
      const from = notification.municipalityCode;
      if (from === target) {
        throw new BadUserInputError('municipalityCode', 'the notification is already in that municipality.');
      }
      await manager.insert(NotificationTransfer, {
        notificationId: notification.id,
        fromMunicipalityCode: from,
        toMunicipalityCode: target,
        reason: trimmedReason,
        transferredAt: now,
      });
      await manager.update(
        Notification,
        { id: notification.id },
        { municipalityCode: target, version: notification.version + 1, updatedAt: now },
      );
      await recordAudit(manager, actorOf(viewer), {
        action: 'TRANSFER_TO_MUNICIPALITY',
        occurredAt: now,
        organisation: from,
        notificationId: notification.id,
        fromStatus: notification.status,
        toStatus: notification.status,
        fromMunicipalityCode: from,
        toMunicipalityCode: target,
        reason: trimmedReason,
      });
      return {
        outcome: 'TransferReceipt',
        notificationId: notification.id,
        fromMunicipalityCode: from,
        toMunicipalityCode: target,
        reason: trimmedReason,
        transferredAt: now,
        // Kela allows transferring an old NEW notification; the receipt warns that it cannot enter processing.
        pendingDays: pendingDays(notification.createdAt, now),
        canMoveToProcessing: !isPendingOverRemovalLimit(notification.createdAt, now),
      } satisfies TransferReceiptResult;
    });
  }

  /**
   * One transaction around every change: lock the row in the viewer's scope, check the transition table,
   * apply. Concurrent calls on one notification queue on the lock, so none is lost or applied twice.
   */
  private async change<R>(
    viewer: AuthenticatedViewer,
    id: string,
    now: Date,
    action: NotificationAction,
    apply: (manager: EntityManager, notification: Notification) => Promise<R>,
  ): Promise<R | InvalidTransitionResult> {
    if (!isUuid(id)) throw new NotFoundError();
    return this.dataSource.transaction(async (manager) => {
      const codes = municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES);
      const notification = await manager
        .getRepository(Notification)
        .createQueryBuilder('n')
        .setLock('pessimistic_write')
        .where('n.id = :id AND n.municipality_code = ANY(:codes)', { id, codes })
        .getOne();
      if (!notification || !isVisible(notification.status, notification.createdAt, now))
        throw new NotFoundError();
      const transition = TRANSITIONS[action];
      if (notification.status !== transition.from) {
        return {
          outcome: 'InvalidTransition',
          notificationId: notification.id,
          currentStatus: notification.status,
          requiredStatus: transition.from,
        } satisfies InvalidTransitionResult;
      }
      return apply(manager, notification);
    });
  }

  private async applyStatus(
    manager: EntityManager,
    viewer: AuthenticatedViewer,
    notification: Notification,
    action: NotificationAction,
    now: Date,
    changes: Pick<Notification, 'processingStartedAt'>,
  ): Promise<void> {
    const { from, to } = TRANSITIONS[action];
    Object.assign(notification, changes, { status: to, version: notification.version + 1, updatedAt: now });
    await manager.update(
      Notification,
      { id: notification.id },
      {
        status: to,
        processingStartedAt: notification.processingStartedAt,
        version: notification.version,
        updatedAt: now,
      },
    );
    await recordAudit(manager, actorOf(viewer), {
      action,
      occurredAt: now,
      organisation: notification.municipalityCode,
      notificationId: notification.id,
      fromStatus: from,
      toStatus: to,
    });
  }
}
