import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PERSON_COLUMNS, type PreparedStatement, queryPrepared, selectList } from '../../db/prepared';
import {
  SOCIAL_CARE_NOTICE_COLUMNS,
  SOCIAL_CARE_NOTICE_EXPORT_FROM,
  SOCIAL_CARE_NOTICE_EXPORT_SELECT,
  SOCIAL_CARE_NOTICE_JOIN_PERSON,
  SOCIAL_CARE_NOTICE_ORDER,
  type SocialCareNoticeConditions,
  socialCareNoticeWhere,
} from '../../db/social-care-notices';
import { decodeKeyCursor, encodeKeyCursor } from '../../domain/cursor';
import { DataContent } from '../../domain/enums';
import { BadUserInputError } from '../../domain/errors';
import type { SocialCareRecipient } from '../../domain/social-care';
import {
  isUuid,
  requirePageSize,
  requirePersonalIdentityCode,
  requirePostalCode,
} from '../../domain/validation';
import { type AuthenticatedViewer, municipalitiesFor, type Viewer } from '../../domain/viewer';
import type { Person } from '../../entities/person.entity';
import { SocialCareNotice } from '../../entities/social-care-notice.entity';
import { personFromRow } from '../../loaders';
import { type AccessEntry, type AccessLogService, purposeOf } from '../access-log.service';
import type { MunicipalityService } from '../municipality.service';
import type { PersonCache } from '../notifications/notification-reads.service';
import type { SocialCareNoticeFilterShape as SocialCareNoticeFilter, SocialCareNoticePage } from '../shapes';

const WITH_PERSON_COLUMNS = `${selectList(SOCIAL_CARE_NOTICE_COLUMNS, 's')}, ${selectList(PERSON_COLUMNS, 'p')}`;
const PERSON_OFFSET = Object.keys(SOCIAL_CARE_NOTICE_COLUMNS).length;
const TOTAL_INDEX = PERSON_OFFSET + Object.keys(PERSON_COLUMNS).length;
/** (visible_from ISO time, id): a forged cursor is bad input, never a database error. */
const CURSOR_KEYS = ['text', 'text'] as const;

/** A statement named by its text: each shape of the optional conditions is planned once per connection. */
function prepared(text: string): PreparedStatement {
  return { name: `social_care_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`, text };
}

function noticeWithPerson(row: readonly unknown[]): [SocialCareNotice, Person] {
  const notice = new SocialCareNotice();
  const keys = Object.keys(SOCIAL_CARE_NOTICE_COLUMNS) as (keyof SocialCareNotice)[];
  const record = notice as unknown as Record<string, unknown>;
  keys.forEach((key, index) => {
    record[key] = row[index];
  });
  return [notice, personFromRow(row, PERSON_OFFSET)];
}

/** A filter checked and turned into SQL conditions; `searched` is a normalised identity code searched for. */
export interface SocialCareNoticeQuery {
  conditions: SocialCareNoticeConditions;
  searched?: string;
  /** The municipalities the filter asked about within the viewer's scope (a search that found nothing still happened there). */
  searchedMunicipalities: string[];
}

/**
 * Reads of Kela's social-care notices (Kelmu's service page: "visible only with the mandate for income support and
 * social services client data"): a list and one by id, scoped to the viewer's SOCIAL_ASSISTANCE municipalities and to
 * notices already visible, each read logged under the organisation of the notice's recipient.
 */
export class SocialCareNoticeReadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** The recipient (welfare area, HEL or AX) of a municipality's notices. */
  recipientOf(municipalityCode: string): SocialCareRecipient {
    const recipient = this.municipalities.recipientOf(municipalityCode);
    if (!recipient) throw new Error(`Unknown municipality ${municipalityCode}`);
    return recipient;
  }

  /** The filter checked (BAD_USER_INPUT with the argument's name); the scope itself is the shield's and the SQL's. */
  query(viewer: Viewer, filter: SocialCareNoticeFilter): SocialCareNoticeQuery {
    const scope = municipalitiesFor(viewer, DataContent.SOCIAL_ASSISTANCE);
    const conditions: SocialCareNoticeConditions = {};
    if (filter.kinds != null) {
      if (filter.kinds.length === 0)
        throw new BadUserInputError('filter.kinds', 'name at least one kind, or leave the condition out.');
      conditions.kinds = [...new Set(filter.kinds)];
    }
    let asked: string[] | undefined;
    if (filter.recipientId != null) {
      asked = this.municipalities.municipalitiesOfRecipient(filter.recipientId);
      if (asked.length === 0)
        throw new BadUserInputError(
          'filter.recipientId',
          `no recipient has the id ${filter.recipientId} (a welfare area's id such as PO, HEL or AX).`,
        );
    }
    if (filter.municipalityCode != null) {
      const code = this.municipalities.requireKnown('filter.municipalityCode', filter.municipalityCode);
      asked = asked ? asked.filter((c) => c === code) : [code];
    }
    if (asked) conditions.municipalityCodes = asked;
    if (filter.postalCode != null)
      conditions.postalCode = requirePostalCode('filter.postalCode', filter.postalCode);
    let searched: string | undefined;
    if (filter.personalIdentityCode != null) {
      searched = requirePersonalIdentityCode('filter.personalIdentityCode', filter.personalIdentityCode);
      conditions.personalIdentityCode = searched;
    }
    const inScope = new Set(scope);
    return {
      conditions,
      ...(searched ? { searched } : {}),
      searchedMunicipalities: (asked ?? scope).filter((code) => inScope.has(code)),
    };
  }

  /**
   * Kela's onboarding rules: every read of personal data is logged, one entry per recipient whose notices were read
   * (its organisation), with the purpose of the grant the notices' municipality rests on.
   */
  accessEntries(
    viewer: Viewer,
    now: Date,
    operation: string,
    rows: readonly { id: string; municipalityCode: string }[],
    query?: SocialCareNoticeQuery,
  ): AccessEntry[] {
    if (viewer.kind === 'ANONYMOUS') return [];
    const byRecipient = new Map<string, { ids: string[]; municipality: string }>();
    for (const row of rows) {
      const recipient = this.recipientOf(row.municipalityCode).id;
      const entry = byRecipient.get(recipient);
      if (entry) entry.ids.push(row.id);
      else byRecipient.set(recipient, { ids: [row.id], municipality: row.municipalityCode });
    }
    // A search by person that found nothing is still a look-up, seen by every recipient searched.
    if (byRecipient.size === 0 && query?.searched) {
      for (const code of query.searchedMunicipalities) {
        const recipient = this.recipientOf(code).id;
        if (!byRecipient.has(recipient)) byRecipient.set(recipient, { ids: [], municipality: code });
      }
    }
    return [...byRecipient].map(([organisation, { ids, municipality }]) => ({
      occurredAt: now,
      actorKind: viewer.kind,
      actorId: (viewer as AuthenticatedViewer).id,
      organisation,
      dataContent: DataContent.SOCIAL_ASSISTANCE,
      purpose: purposeOf((viewer as AuthenticatedViewer).grants, municipality),
      operation,
      socialCareNoticeIds: ids,
      ...(query?.searched ? { personalIdentityCodes: [query.searched] } : {}),
    }));
  }

  /**
   * Newest visible first, as a Relay page. One statement reads the page with its persons (primed into the request's
   * person loader) and, when asked for, the total; a notice before its visibleFrom is neither listed nor counted.
   */
  async list(
    viewer: Viewer,
    filter: SocialCareNoticeFilter,
    first: number,
    after: string | null | undefined,
    now: Date,
    options: { persons?: PersonCache; withTotal?: boolean } = {},
  ): Promise<SocialCareNoticePage> {
    requirePageSize('first', first);
    const position = after
      ? decodeKeyCursor(
          'after',
          after,
          CURSOR_KEYS,
          ([at, id]) => !Number.isNaN(Date.parse(at)) && isUuid(id),
        )
      : undefined;
    const query = this.query(viewer, filter);
    const scope = municipalitiesFor(viewer, DataContent.SOCIAL_ASSISTANCE);
    const { where, values } = socialCareNoticeWhere(scope, now, query.conditions);
    const countSql = `SELECT count(*)::int FROM ${SOCIAL_CARE_NOTICE_JOIN_PERSON} WHERE ${where.join(' AND ')}`;
    const countValues = [...values];
    if (position) {
      values.push(position[0], position[1]);
      where.push(`(s.visible_from, s.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
    }
    values.push(first + 1);
    const withTotal = options.withTotal === true;
    const listSql = `SELECT ${WITH_PERSON_COLUMNS}${withTotal ? `, (${countSql})` : ''}
      FROM ${SOCIAL_CARE_NOTICE_JOIN_PERSON} WHERE ${where.join(' AND ')}
      ORDER BY ${SOCIAL_CARE_NOTICE_ORDER} LIMIT $${values.length}`;
    const raw = await queryPrepared(this.dataSource, prepared(listSql), values);
    const page: SocialCareNotice[] = [];
    for (const row of raw.slice(0, first)) {
      const [notice, person] = noticeWithPerson(row);
      page.push(notice);
      options.persons?.prime(person.id, person);
    }
    let total: Promise<number> | undefined;
    if (withTotal && raw.length > 0) total = Promise.resolve(raw[0]?.[TOTAL_INDEX] as number);
    else if (raw.length === 0 && !position) total = Promise.resolve(0);
    this.accessLog.recordRead(
      this.accessEntries(
        viewer,
        now,
        query.searched ? 'socialCareNotices:byPerson' : 'socialCareNotices',
        page,
        query,
      ),
    );
    const edges = page.map((node) => ({
      cursor: encodeKeyCursor([node.visibleFrom.toISOString(), node.id]),
      node,
    }));
    return {
      edges,
      totalCount: () => {
        total ??= queryPrepared(this.dataSource, prepared(countSql), countValues).then(
          (rows) => rows[0]?.[0] as number,
        );
        return total;
      },
      pageInfo: { hasNextPage: raw.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  /** Null when it does not exist, is outside the viewer's scope or is not visible yet: never says which. Logged. */
  async get(viewer: Viewer, id: string, now: Date, persons?: PersonCache): Promise<SocialCareNotice | null> {
    const notice = await this.find(viewer, id, now, persons);
    if (notice) this.accessLog.recordRead(this.accessEntries(viewer, now, 'socialCareNotice', [notice]));
    return notice;
  }

  /** As get(), without an access log entry: for a use case that records the access itself (a download's audit row). */
  async find(viewer: Viewer, id: string, now: Date, persons?: PersonCache): Promise<SocialCareNotice | null> {
    if (!isUuid(id)) return null;
    const scope = municipalitiesFor(viewer, DataContent.SOCIAL_ASSISTANCE);
    const { where, values } = socialCareNoticeWhere(scope, now);
    values.push(id);
    const sql = `SELECT ${WITH_PERSON_COLUMNS} FROM ${SOCIAL_CARE_NOTICE_JOIN_PERSON}
      WHERE ${where.join(' AND ')} AND s.id = $${values.length}`;
    const [row] = await queryPrepared(this.dataSource, prepared(sql), values);
    if (!row) return null;
    const [notice, person] = noticeWithPerson(row);
    persons?.prime(person.id, person);
    return notice;
  }

  /**
   * For a download, not logged here (its audit row records the access): the ids and municipalities of what it holds,
   * and the SQL that streams its rows, newest visible first, through the same scope as the reads.
   */
  async export(
    viewer: Viewer,
    selection: SocialCareNoticeFilter | { id: string },
    now: Date,
  ): Promise<{
    query: SocialCareNoticeQuery;
    rows: { id: string; municipalityCode: string }[];
    sql: [string, unknown[]];
  }> {
    const query: SocialCareNoticeQuery =
      'id' in selection ? { conditions: {}, searchedMunicipalities: [] } : this.query(viewer, selection);
    const scope = municipalitiesFor(viewer, DataContent.SOCIAL_ASSISTANCE);
    const { where, values } = socialCareNoticeWhere(scope, now, query.conditions);
    if ('id' in selection) {
      values.push(isUuid(selection.id) ? selection.id : null);
      where.push(`s.id = $${values.length}`);
    }
    const condition = `WHERE ${where.join(' AND ')} ORDER BY ${SOCIAL_CARE_NOTICE_ORDER}`;
    const ids: { id: string; municipalityCode: string }[] = await this.dataSource.query(
      `SELECT s.id, s.municipality_code AS "municipalityCode" FROM ${SOCIAL_CARE_NOTICE_JOIN_PERSON} ${condition}`,
      values,
    );
    return {
      query,
      rows: ids,
      sql: [
        `SELECT ${SOCIAL_CARE_NOTICE_EXPORT_SELECT} FROM ${SOCIAL_CARE_NOTICE_EXPORT_FROM} ${condition}`,
        values,
      ],
    };
  }
}
