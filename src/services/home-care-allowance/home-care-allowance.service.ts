import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { decodeKeyCursor, encodeKeyCursor } from '../../domain/cursor';
import { DataContent } from '../../domain/enums';
import { listGenerationDay } from '../../domain/last-weekday';
import { listExpiresAt } from '../../domain/retention';
import { isUuid, requirePageSize } from '../../domain/validation';
import { municipalitiesFor, type Viewer } from '../../domain/viewer';
import { HomeCareAllowanceList, HomeCareAllowanceRow } from '../../entities/home-care-allowance-list.entity';
import { type AccessLogService, entryFor } from '../access-log.service';
import { recordAudit, SYSTEM_ACTORS } from '../audit.service';
import type { MunicipalityService } from '../municipality.service';
import type {
  HomeCareAllowanceListPage as HomeCareAllowanceListConnection,
  HomeCareAllowanceRowPage as HomeCareAllowanceRowConnection,
} from '../shapes';

export interface GenerationResult {
  /** 'YYYY-MM' */
  month: string;
  /** The month's last weekday: the day lists are generated and recipients are taken as of. */
  generationDay: string;
  /** False when asOf is before the generation day: nothing to do yet. */
  due: boolean;
  listsCreated: number;
  rowsCreated: number;
}

/** A list's position: its month (the first day) and municipality code. */
const LIST_KEY = ['date', 'text'] as const;
const isListPosition = ([month, code]: [string, string]) => month.endsWith('-01') && /^\d{3}$/.test(code);
/** A row's position: its row number. */
const ROW_KEY = ['int4'] as const;

/** Child home care allowance lists: the monthly run, 24-month visibility, paging and rows for downloads. */
export class HomeCareAllowanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
    private readonly accessLog?: AccessLogService,
  ) {}

  private logRead(viewer: Viewer, now: Date, operation: string, lists: HomeCareAllowanceList[]): void {
    this.accessLog?.recordRead(
      lists.map((list) =>
        entryFor(viewer, now, {
          organisation: list.municipalityCode,
          dataContent: DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE,
          operation,
          listIds: [list.id],
        }),
      ),
    );
  }

  /** Lists of the viewer's municipalities that have not expired. */
  private visibleTo(viewer: Viewer, now: Date): SelectQueryBuilder<HomeCareAllowanceList> {
    return this.dataSource
      .getRepository(HomeCareAllowanceList)
      .createQueryBuilder('l')
      .where('l.municipality_code = ANY(:codes)', {
        codes: municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE),
      })
      .andWhere('l.expires_at > :now', { now });
  }

  async list(
    viewer: Viewer,
    municipalityCode: string | null | undefined,
    first: number,
    after: string | null | undefined,
    now: Date,
  ): Promise<HomeCareAllowanceListConnection> {
    requirePageSize('first', first);
    const position = after ? decodeKeyCursor('after', after, LIST_KEY, isListPosition) : undefined;
    const query = this.visibleTo(viewer, now);
    if (municipalityCode != null) {
      const code = this.municipalities.requireKnown('municipalityCode', municipalityCode);
      query.andWhere('l.municipality_code = :code', { code });
    }
    const totalCount = await query.clone().getCount();
    if (position) {
      query.andWhere(
        '(l.month < :afterMonth OR (l.month = :afterMonth AND l.municipality_code > :afterCode))',
        {
          afterMonth: position[0],
          afterCode: position[1],
        },
      );
    }
    const rows = await query
      .orderBy('l.month', 'DESC')
      .addOrderBy('l.municipality_code', 'ASC')
      .limit(first + 1)
      .getMany();
    this.logRead(viewer, now, 'homeCareAllowanceLists', rows.slice(0, first));
    const edges = rows
      .slice(0, first)
      .map((node) => ({ cursor: encodeKeyCursor([node.monthStart, node.municipalityCode]), node }));
    return {
      edges,
      totalCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  /** Null when it does not exist, is another municipality's, or has expired: never says which. */
  async get(viewer: Viewer, id: string, now: Date): Promise<HomeCareAllowanceList | null> {
    const list = await this.find(viewer, id, now);
    if (list) this.logRead(viewer, now, 'homeCareAllowanceList', [list]);
    return list;
  }

  /** As get(), without an access log entry: for a use case that records the access itself (a download's audit row). */
  async find(viewer: Viewer, id: string, now: Date): Promise<HomeCareAllowanceList | null> {
    if (!isUuid(id)) return null;
    return this.visibleTo(viewer, now).andWhere('l.id = :id', { id }).getOne();
  }

  /** A page of one list's rows; the list itself was already resolved within the viewer's scope. */
  async rows(list: HomeCareAllowanceList, first: number, after: string | null | undefined) {
    requirePageSize('first', first);
    const from = after ? decodeKeyCursor('after', after, ROW_KEY)[0] : 0;
    const rows = await this.dataSource
      .getRepository(HomeCareAllowanceRow)
      .createQueryBuilder('r')
      .where('r.list_id = :id AND r.row_number > :from', { id: list.id, from })
      .orderBy('r.row_number', 'ASC')
      .limit(first + 1)
      .getMany();
    const edges = rows.slice(0, first).map((node) => ({ cursor: encodeKeyCursor([node.rowNumber]), node }));
    const connection: HomeCareAllowanceRowConnection = {
      edges,
      totalCount: list.rowCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
    return connection;
  }

  /** SQL and parameters for the CSV download of one list, re-checking scope and expiry in the statement itself. */
  exportQuery(viewer: Viewer, listId: string, now: Date): [string, unknown[]] {
    return [
      `SELECT r.row_number AS "rowNumber", r.personal_identity_code AS "personalIdentityCode", r.last_name AS "lastName",
              r.first_names AS "firstNames", r.date_of_birth AS "dateOfBirth", r.street AS "street",
              r.postal_code AS "postalCode", r.post_office AS "postOffice", r.native_language AS "nativeLanguage",
              r.citizenship AS "citizenship", r.allowance_start AS "allowanceStartDate", r.children_count AS "childrenCount"
         FROM home_care_allowance_list_row r
         JOIN home_care_allowance_list l ON l.id = r.list_id
        WHERE r.list_id = $1 AND l.municipality_code = ANY($2) AND l.expires_at > $3
        ORDER BY r.row_number`,
      [listId, municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE), now],
    ];
  }

  /**
   * The monthly run for the month of `asOf`: on or after its last weekday, one list per municipality with immigrant
   * recipients (EU/EEA citizens or holders of a residence permit) whose allowance is in force that day: imported
   * recipients, and persons of the benefit facts paid child home care allowance for the month. One set-based
   * statement; a list that exists is never touched again, so reruns change nothing.
   */
  async generateMonth(asOf: string, now: Date): Promise<GenerationResult> {
    const generationDay = listGenerationDay(asOf);
    const monthStart = `${asOf.slice(0, 7)}-01`;
    const result: GenerationResult = {
      month: asOf.slice(0, 7),
      generationDay,
      due: asOf >= generationDay,
      listsCreated: 0,
      rowsCreated: 0,
    };
    if (!result.due) return result;
    return this.dataSource.transaction(async (manager) => {
      const [counts]: { lists: string; rows: string }[] = await manager.query(
        `WITH candidates AS (
           SELECT r.personal_identity_code, r.first_names, r.last_name, r.date_of_birth, r.native_language,
                  r.citizenship, r.street, r.postal_code, r.post_office, r.municipality_code,
                  r.first_residence_permit_start, r.eu_eea_citizen, r.allowance_start, r.children_count
             FROM home_care_allowance_recipient r
            WHERE r.allowance_start <= $1 AND (r.allowance_end IS NULL OR r.allowance_end >= $1)
           UNION ALL
           -- Benefit facts: a payment for the month makes a recipient; the allowance started with the first payment.
           SELECT b.personal_identity_code, b.first_names, b.last_name, b.date_of_birth, b.native_language,
                  b.citizenship, b.street, b.postal_code, b.post_office, b.municipality_code,
                  b.first_residence_permit_start, b.eu_eea_citizen,
                  (SELECT min(f.month) FROM home_care_allowance_payment f
                    WHERE f.personal_identity_code = b.personal_identity_code),
                  p.children_count
             FROM home_care_allowance_payment p
             JOIN benefit_person b ON b.personal_identity_code = p.personal_identity_code
            WHERE p.month = $2
         ), eligible AS (
           SELECT DISTINCT ON (c.personal_identity_code) c.*
             FROM candidates c
            WHERE c.eu_eea_citizen OR c.first_residence_permit_start IS NOT NULL
            ORDER BY c.personal_identity_code, c.allowance_start DESC
         ), numbered AS (
           SELECT e.*, row_number() OVER (PARTITION BY e.municipality_code
                                          ORDER BY e.last_name COLLATE "fi-FI-x-icu", e.first_names COLLATE "fi-FI-x-icu",
                                                   e.personal_identity_code) AS position
             FROM eligible e
         ), lists AS (
           INSERT INTO home_care_allowance_list (municipality_code, month, generated_on, generated_at, expires_at, row_count)
           SELECT municipality_code, $2, $1, $3, $4, count(*) FROM numbered GROUP BY municipality_code
           ON CONFLICT (municipality_code, month) DO NOTHING
           RETURNING id, municipality_code
         ), inserted AS (
           INSERT INTO home_care_allowance_list_row
             (list_id, row_number, personal_identity_code, first_names, last_name, date_of_birth, street, postal_code,
              post_office, native_language, citizenship, allowance_start, children_count)
           SELECT l.id, n.position, n.personal_identity_code, n.first_names, n.last_name, n.date_of_birth, n.street,
                  n.postal_code, n.post_office, n.native_language, n.citizenship, n.allowance_start, n.children_count
             FROM numbered n JOIN lists l ON l.municipality_code = n.municipality_code
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM lists) AS lists, (SELECT count(*) FROM inserted) AS rows`,
        [generationDay, monthStart, now, listExpiresAt(now)],
      );
      result.listsCreated = Number(counts?.lists ?? 0);
      result.rowsCreated = Number(counts?.rows ?? 0);
      if (result.listsCreated > 0) {
        await recordAudit(manager, SYSTEM_ACTORS.monthlyLists, {
          action: 'GENERATE_HOME_CARE_ALLOWANCE_LISTS',
          occurredAt: now,
          details: {
            month: result.month,
            generationDay,
            lists: result.listsCreated,
            rows: result.rowsCreated,
          },
        });
      }
      return result;
    });
  }
}
