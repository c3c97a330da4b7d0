import type { DataSource } from 'typeorm';
import {
  assignColumns,
  NOTIFICATION_COLUMNS,
  PERSON_COLUMNS,
  type PreparedStatement,
  queryPrepared,
  selectList,
} from '../../db/prepared';
import {
  type AgeSignal,
  type AgeSignalThresholds,
  ageSignal,
  ageSignalCreatedRange,
  DEFAULT_AGE_SIGNAL_THRESHOLDS,
} from '../../domain/age-signal';
import { decodeCursor, encodeCursor } from '../../domain/cursor';
import { DataContent, NotificationOrder } from '../../domain/enums';
import { removalThreshold, visibleSql } from '../../domain/notification-rules';
import {
  isUuid,
  requirePageSize,
  requirePersonalIdentityCode,
  requirePostalCode,
} from '../../domain/validation';
import { municipalitiesFor, type Viewer } from '../../domain/viewer';
import { Notification } from '../../entities/notification.entity';
import type { Person } from '../../entities/person.entity';
import { personFromRow } from '../../loaders';
import { type AccessLogService, entryFor } from '../access-log.service';
import type { MunicipalityService } from '../municipality.service';
import type {
  NotificationPage as NotificationConnection,
  NotificationFilterShape as NotificationFilter,
} from '../shapes';
import { idsByMunicipality } from './notification-scope';

/** A notification's columns, then its person's: one row of the list or of `notification(id)`. */
const WITH_PERSON_COLUMNS = `${selectList(NOTIFICATION_COLUMNS, 'n')}, ${selectList(PERSON_COLUMNS, 'p')}`;
const NOTIFICATION_JOIN_PERSON = 'notification n JOIN person p ON p.id = n.person_id';
const PERSON_OFFSET = Object.keys(NOTIFICATION_COLUMNS).length;
/** Where a list row holds the total count, when the page was asked for with it. */
const TOTAL_INDEX = PERSON_OFFSET + Object.keys(PERSON_COLUMNS).length;

/** Conditions every read of notifications has: $1 the viewer's municipalities, $2 the 30-day threshold. */
const IN_SCOPE = `n.municipality_code = ANY($1) AND ${visibleSql('$2')}`;

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
  /** Which end comes first; cursors are valid only within the order they were returned in. */
  order?: NotificationOrder;
}

/** Reads of immigrant notifications: the two lists and one by id, each logged in the access log. */
export class NotificationReadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
    private readonly accessLog: AccessLogService,
    private readonly ageSignalThresholds: AgeSignalThresholds = DEFAULT_AGE_SIGNAL_THRESHOLDS,
  ) {}

  /** A notification's age signal by the configured thresholds. */
  ageSignal(createdAt: Date, now: Date): AgeSignal {
    return ageSignal(createdAt, now, this.ageSignalThresholds);
  }

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
    this.accessLog.recordRead(
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
    const order = options.order ?? NotificationOrder.NEWEST_FIRST;
    const oldestFirst = order === NotificationOrder.OLDEST_FIRST;
    const position = after ? decodeCursor('after', after, order) : undefined;
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
    // An age signal is a range of creation times; an open end is ±infinity, so that one text serves every colour.
    if (filter.ageSignal != null) {
      const range = ageSignalCreatedRange(filter.ageSignal, now, this.ageSignalThresholds);
      condition((p) => `n.created_at >= ${p}::timestamptz`, range.from ?? '-infinity');
      condition((p) => `n.created_at < ${p}::timestamptz`, range.before ?? 'infinity');
    }
    const shape = `${+(municipality !== undefined)}${+(filter.postalCode != null)}${+(filter.personalIdentityCode != null)}${+(filter.ageSignal != null)}`;
    const joinsPerson = filter.postalCode != null || filter.personalIdentityCode != null;
    // The total ignores the cursor: its conditions and values are the page's before the cursor's are added.
    const countSql = `SELECT count(*)::int FROM notification n${joinsPerson ? ' JOIN person p ON p.id = n.person_id' : ''} WHERE ${where.join(' AND ')}`;
    const countValues = [...values];
    const count = prepared(`notification_count_${shape}`, () => countSql);
    if (position) {
      values.push(position.createdAt, position.id);
      where.push(
        `(n.created_at, n.id) ${oldestFirst ? '>' : '<'} ($${values.length - 1}::timestamptz, $${values.length}::uuid)`,
      );
    }
    values.push(first + 1);
    // Asked for beforehand, the total rides on every row of the page (PostgreSQL counts it once, an InitPlan).
    const withTotal = options.withTotal === true;
    // The index is read forwards or backwards: both orders come straight from it.
    const direction = oldestFirst ? 'ASC' : 'DESC';
    const orderBy = `ORDER BY n.created_at ${direction}, n.id ${direction} LIMIT $${values.length}`;
    // Several municipalities: each one's first rows from the index, merged (`= ANY($1)` alone would sort all their rows).
    // Not with a person's condition: the postal code or identity code index finds fewer rows first.
    const from =
      municipality !== undefined || joinsPerson
        ? `${NOTIFICATION_JOIN_PERSON} WHERE ${where.join(' AND ')}`
        : `(SELECT DISTINCT code FROM unnest($1::bpchar[]) AS viewed(code)) scope
          CROSS JOIN LATERAL (
            SELECT n.* FROM notification n WHERE n.municipality_code = scope.code AND ${where.join(' AND ')} ${orderBy}
          ) n JOIN person p ON p.id = n.person_id`;
    const list = prepared(
      `notification_list_${shape}${+Boolean(position)}${+withTotal}${oldestFirst ? '_asc' : ''}`,
      () => `SELECT ${WITH_PERSON_COLUMNS}${withTotal ? `, (${countSql})` : ''} FROM ${from} ${orderBy}`,
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
    const edges = page.map((node) => ({ cursor: encodeCursor(node, order), node }));
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
}
