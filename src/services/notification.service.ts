import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import {
  assignColumns,
  NOTIFICATION_COLUMNS,
  PERSON_COLUMNS,
  type PreparedStatement,
  queryPrepared,
  selectList,
} from '../db/prepared';
import type { Clock } from '../domain/clock';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import { DataContent } from '../domain/enums';
import { BadUserInputError, NotFoundError } from '../domain/errors';
import {
  isPendingOverRemovalLimit,
  isVisible,
  type NotificationAction,
  pendingDays,
  REMOVAL_AFTER_DAYS,
  removalThreshold,
  TRANSITIONS,
} from '../domain/notification-rules';
import {
  isUuid,
  requirePageSize,
  requirePersonalIdentityCode,
  requirePostalCode,
  requireReason,
} from '../domain/validation';
import { type AuthenticatedViewer, municipalitiesFor, type Viewer } from '../domain/viewer';
import { Notification } from '../entities/notification.entity';
import { NotificationTransfer } from '../entities/notification-transfer.entity';
import type { Person } from '../entities/person.entity';
import { personFromRow } from '../loaders';
import { type AccessLogService, entryFor } from './access-log.service';
import { actorOf, recordAudit } from './audit.service';
import type { MunicipalityService } from './municipality.service';
import type {
  InvalidTransitionResult,
  NotificationPage as NotificationConnection,
  NotificationFilterShape as NotificationFilter,
  NotificationRemovedResult,
  TransferReceiptResult,
} from './shapes';

/** A notification's columns, then its person's: one row of the list or of `notification(id)`. */
const WITH_PERSON_COLUMNS = `${selectList(NOTIFICATION_COLUMNS, 'n')}, ${selectList(PERSON_COLUMNS, 'p')}`;
const NOTIFICATION_JOIN_PERSON = 'notification n JOIN person p ON p.id = n.person_id';
const PERSON_OFFSET = Object.keys(NOTIFICATION_COLUMNS).length;
/** Where a list row holds the total count, when the page was asked for with it. */
const TOTAL_INDEX = PERSON_OFFSET + Object.keys(PERSON_COLUMNS).length;

/** Conditions every read of notifications has: $1 the viewer's municipalities, $2 the 30-day threshold. */
const IN_SCOPE = "n.municipality_code = ANY($1) AND (n.status = 'NEW' OR n.created_at >= $2)";

const NOTIFICATION_BY_ID: PreparedStatement = {
  name: 'notification_by_id',
  text: `SELECT ${WITH_PERSON_COLUMNS} FROM ${NOTIFICATION_JOIN_PERSON} WHERE ${IN_SCOPE} AND n.id = $3`,
};

/**
 * Prepared statements by name. The lists' optional conditions make a handful of shapes, each its own fixed text
 * (rather than `$n IS NULL OR …` in one), so that each is planned for what it filters on: the newest first straight
 * from notification_list_idx (municipality, status, created_at DESC, id DESC), then each row's person by its key.
 */
const statements = new Map<string, PreparedStatement>();
function prepared(name: string, text: () => string): PreparedStatement {
  let statement = statements.get(name);
  if (!statement) {
    statement = { name, text: text() };
    statements.set(name, statement);
  }
  return statement;
}

function notificationWithPerson(row: readonly unknown[]): [Notification, Person] {
  const notification = new Notification();
  assignColumns(notification, NOTIFICATION_COLUMNS, row);
  return [notification, personFromRow(row, PERSON_OFFSET)];
}

/** Where the persons read with notifications go: the request's person loader, so that `person` reads nothing more. */
export interface PersonCache {
  prime(id: string, person: Person): unknown;
}

export interface ListOptions {
  /** Where the page's persons go (the request's person loader). */
  persons?: PersonCache;
  /** The operation selects `totalCount`: count in the page's statement rather than in a second one. */
  withTotal?: boolean;
}

/**
 * Notification ids per municipality whose data they are (the access log's one entry per organisation); when there are
 * no rows, an empty entry for each of `whenNone` (a search or download that found nothing still happened there).
 */
export function idsByMunicipality(
  rows: readonly { id: string; municipalityCode: string }[],
  whenNone: readonly string[],
): Map<string, string[]> {
  const byMunicipality = new Map<string, string[]>();
  for (const row of rows) {
    const ids = byMunicipality.get(row.municipalityCode);
    if (ids) ids.push(row.id);
    else byMunicipality.set(row.municipalityCode, [row.id]);
  }
  if (byMunicipality.size === 0) for (const code of whenNone) byMunicipality.set(code, []);
  return byMunicipality;
}

/** Business rules of immigrant notifications: the two lists, the three state changes and the 30-day rule. */
export class NotificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
    private readonly clock: Clock,
    private readonly accessLog?: AccessLogService,
  ) {}

  /** Kela's onboarding rules: every read of personal data is logged, one entry per municipality read. */
  private logRead(
    viewer: Viewer,
    now: Date,
    operation: string,
    rows: Notification[],
    searchedCode?: string,
    searchedMunicipalities?: string[],
  ): void {
    // A search that found nothing is still a look-up of that person, to be seen by every municipality searched.
    const byMunicipality = idsByMunicipality(rows, searchedCode ? (searchedMunicipalities ?? []) : []);
    this.accessLog?.recordRead(
      [...byMunicipality].map(([organisation, notificationIds]) =>
        entryFor(viewer, now, {
          organisation: organisation || null,
          dataContent: DataContent.INTEGRATION_SERVICES,
          operation,
          notificationIds,
          ...(searchedCode ? { personalIdentityCodes: [searchedCode] } : {}),
        }),
      ),
    );
  }

  /** Rows of the viewer's municipalities only, in either list, without in-processing ones past 30 days. */
  private visibleTo(viewer: Viewer, now: Date, manager?: EntityManager): SelectQueryBuilder<Notification> {
    const codes = municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES);
    return (manager ?? this.dataSource.manager)
      .getRepository(Notification)
      .createQueryBuilder('n')
      .where('n.municipality_code = ANY(:codes)', { codes })
      .andWhere("(n.status = 'NEW' OR n.created_at >= :threshold)", { threshold: removalThreshold(now) });
  }

  /** The viewer's visible notifications matching a validated filter; shared by the list and its CSV download. */
  private filtered(viewer: Viewer, filter: NotificationFilter, now: Date): SelectQueryBuilder<Notification> {
    const query = this.visibleTo(viewer, now).andWhere('n.status = :status', { status: filter.status });
    if (filter.municipalityCode != null) {
      const code = this.municipalities.requireKnown('filter.municipalityCode', filter.municipalityCode);
      query.andWhere('n.municipality_code = :municipalityCode', { municipalityCode: code });
    }
    if (filter.postalCode != null) {
      const postalCode = requirePostalCode('filter.postalCode', filter.postalCode);
      query.andWhere('n.person_id IN (SELECT p.id FROM person p WHERE p.postal_code = :postalCode)', {
        postalCode,
      });
    }
    if (filter.personalIdentityCode != null) {
      const code = requirePersonalIdentityCode('filter.personalIdentityCode', filter.personalIdentityCode);
      query.andWhere('n.person_id IN (SELECT p.id FROM person p WHERE p.personal_identity_code = :pic)', {
        pic: code,
      });
    }
    return query;
  }

  /** Ids and municipalities of what a list download contains, for its access log entries (no person data read). */
  exportedIds(
    viewer: Viewer,
    filter: NotificationFilter,
    now: Date,
  ): Promise<{ id: string; municipalityCode: string }[]> {
    return this.filtered(viewer, filter, now)
      .select(['n.id AS "id"', 'n.municipality_code AS "municipalityCode"'])
      .getRawMany();
  }

  /**
   * SQL and parameters for the CSV download: one flat row per notification with its person, newest first.
   * Pending days and removal time are computed in SQL (30 × 24 h) so that the rows can stream straight to the client.
   */
  exportQuery(
    viewer: Viewer,
    selection: NotificationFilter | { id: string },
    now: Date,
  ): [string, unknown[]] {
    const query =
      'id' in selection
        ? this.visibleTo(viewer, now).andWhere('n.id = :id', {
            id: isUuid(selection.id) ? selection.id : null,
          })
        : this.filtered(viewer, selection, now);
    return query
      .innerJoin('person', 'p', 'p.id = n.person_id')
      .innerJoin('municipality', 'm', 'm.code = n.municipality_code')
      .select([
        'n.id AS "id"',
        'n.status AS "status"',
        'n.municipality_code AS "municipalityCode"',
        'm.name_fi AS "municipality"',
        'n.created_at AS "createdAt"',
        'floor(extract(epoch FROM (CAST(:now AS timestamptz) - n.created_at)) / 86400)::int AS "pendingDays"',
        'n.created_at + make_interval(hours => :removalHours) AS "removalDue"',
        'p.personal_identity_code AS "personalIdentityCode"',
        'p.last_name AS "lastName"',
        'p.first_names AS "firstNames"',
        'p.date_of_birth AS "dateOfBirth"',
        'p.native_language AS "nativeLanguage"',
        'p.citizenship AS "citizenship"',
        'p.street AS "street"',
        'p.postal_code AS "postalCode"',
        'p.post_office AS "postOffice"',
        'p.phone_number AS "phoneNumber"',
        'p.first_residence_permit_start AS "firstResidencePermitStart"',
        'p.eu_eea_citizen AS "euEeaCitizen"',
        'n.additional_info AS "additionalInfo"',
      ])
      .setParameter('now', now)
      .setParameter('removalHours', REMOVAL_AFTER_DAYS * 24)
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .getQueryAndParameters();
  }

  /**
   * Kela: all notifications of the municipality in one view; optionally by postal code area or one person. One
   * statement reads the page with its persons (primed into the request's person loader) and, when the operation asks
   * for it, the total count. Otherwise the total is counted only if the connection's `totalCount` is still resolved.
   */
  async list(
    viewer: Viewer,
    filter: NotificationFilter,
    first: number,
    after: string | null | undefined,
    now: Date,
    options: ListOptions = {},
  ): Promise<NotificationConnection> {
    requirePageSize('first', first);
    const position = after ? decodeCursor('after', after) : undefined;
    const codes = municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES);
    const where = [IN_SCOPE, 'n.status = $3'];
    const values: unknown[] = [codes, removalThreshold(now), filter.status];
    const condition = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    // One municipality, by the filter or because the viewer sees only one: an equality on the index's first column, so
    // that even the statement's generic plan reads the newest first from the index (with `= ANY($1)` alone it sorts).
    const municipality =
      filter.municipalityCode != null
        ? this.municipalities.requireKnown('filter.municipalityCode', filter.municipalityCode)
        : codes.length === 1
          ? codes[0]
          : undefined;
    if (municipality !== undefined) condition((p) => `n.municipality_code = ${p}`, municipality);
    if (filter.postalCode != null) {
      const postalCode = requirePostalCode('filter.postalCode', filter.postalCode);
      condition((p) => `p.postal_code = ${p}`, postalCode);
    }
    if (filter.personalIdentityCode != null) {
      const code = requirePersonalIdentityCode('filter.personalIdentityCode', filter.personalIdentityCode);
      condition((p) => `p.personal_identity_code = ${p}`, code);
    }
    const shape = `${+(municipality !== undefined)}${+(filter.postalCode != null)}${+(filter.personalIdentityCode != null)}`;
    const joinsPerson = filter.postalCode != null || filter.personalIdentityCode != null;
    // The total ignores the cursor: its conditions and values are the page's before the cursor's are added.
    const countSql = `SELECT count(*)::int FROM notification n${joinsPerson ? ' JOIN person p ON p.id = n.person_id' : ''} WHERE ${where.join(' AND ')}`;
    const countValues = [...values];
    const count = prepared(`notification_count_${shape}`, () => countSql);
    if (position) {
      values.push(position.createdAt, position.id);
      where.push(`(n.created_at, n.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
    }
    values.push(first + 1);
    // Asked for beforehand, the total rides on every row of the page (PostgreSQL counts it once, an InitPlan).
    const withTotal = options.withTotal === true;
    const order = `ORDER BY n.created_at DESC, n.id DESC LIMIT $${values.length}`;
    // Several municipalities: each one's newest from the index, merged (`= ANY($1)` alone would sort all their rows).
    // Not with a person's condition: the postal code or identity code index finds fewer rows first.
    const from =
      municipality !== undefined || joinsPerson
        ? `${NOTIFICATION_JOIN_PERSON} WHERE ${where.join(' AND ')}`
        : `(SELECT DISTINCT code FROM unnest($1::bpchar[]) AS viewed(code)) scope
          CROSS JOIN LATERAL (
            SELECT n.* FROM notification n WHERE n.municipality_code = scope.code AND ${where.join(' AND ')} ${order}
          ) n JOIN person p ON p.id = n.person_id`;
    const list = prepared(
      `notification_list_${shape}${+Boolean(position)}${+withTotal}`,
      () => `SELECT ${WITH_PERSON_COLUMNS}${withTotal ? `, (${countSql})` : ''} FROM ${from} ${order}`,
    );

    const raw = await queryPrepared(this.dataSource, list, values);
    const page: Notification[] = [];
    for (const row of raw.slice(0, first)) {
      const [notification, person] = notificationWithPerson(row);
      page.push(notification);
      options.persons?.prime(person.id, person);
    }
    let total: Promise<number> | undefined;
    if (withTotal && raw.length > 0) total = Promise.resolve(raw[0]?.[TOTAL_INDEX] as number);
    // An empty first page: nothing matches at all. An empty later page says nothing of the total: counted if asked.
    else if (raw.length === 0 && !position) total = Promise.resolve(0);
    const searched = filter.personalIdentityCode?.trim().toUpperCase();
    const searchedMunicipalities = filter.municipalityCode ? [filter.municipalityCode] : codes;
    this.logRead(
      viewer,
      now,
      searched ? 'notifications:byPerson' : 'notifications',
      page,
      searched,
      searchedMunicipalities,
    );
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      totalCount: () => {
        total ??= queryPrepared(this.dataSource, count, countValues).then((rows) => rows[0]?.[0] as number);
        return total;
      },
      pageInfo: { hasNextPage: raw.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  /**
   * Null when it does not exist, is outside the viewer's municipalities, or has expired: never says which. Read with
   * its person in one statement; the person is primed into `persons`.
   */
  async get(viewer: Viewer, id: string, now: Date, persons?: PersonCache): Promise<Notification | null> {
    const notification = await this.find(viewer, id, now, persons);
    if (notification) this.logRead(viewer, now, 'notification', [notification]);
    return notification;
  }

  /** As get(), without an access log entry: for a use case that records the access itself (a download's audit row). */
  async find(viewer: Viewer, id: string, now: Date, persons?: PersonCache): Promise<Notification | null> {
    if (!isUuid(id)) return null;
    const codes = municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES);
    const [row] = await queryPrepared(this.dataSource, NOTIFICATION_BY_ID, [
      codes,
      removalThreshold(now),
      id,
    ]);
    if (!row) return null;
    const [notification, person] = notificationWithPerson(row);
    persons?.prime(person.id, person);
    return notification;
  }

  /**
   * Kela: the handler moves a new notification to processing so that others see it is being handled;
   * one already pending over 30 days cannot be moved and disappears from the service instead.
   */
  moveToProcessing(viewer: AuthenticatedViewer, id: string) {
    return this.change(viewer, id, 'MOVE_TO_PROCESSING', async (manager, notification, now) => {
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
  returnToNew(viewer: AuthenticatedViewer, id: string) {
    return this.change(viewer, id, 'RETURN_TO_NEW', async (manager, notification, now) => {
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
  ) {
    const target = this.municipalities.requireKnown('municipalityCode', municipalityCode);
    const trimmedReason = requireReason('reason', reason);
    return this.change(viewer, id, 'TRANSFER_TO_MUNICIPALITY', async (manager, notification, now) => {
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
    action: NotificationAction,
    apply: (manager: EntityManager, notification: Notification, now: Date) => Promise<R>,
  ): Promise<R | InvalidTransitionResult> {
    if (!isUuid(id)) throw new NotFoundError();
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
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
      return apply(manager, notification, now);
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

/** Persons exist only for their notifications; once none is left, their data goes too. */
export async function deleteOrphanPersons(manager: EntityManager, personIds: string[]): Promise<void> {
  if (personIds.length === 0) return;
  await manager.query(
    'DELETE FROM person p WHERE p.id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.person_id = p.id)',
    [personIds],
  );
}
