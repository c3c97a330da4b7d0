import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { camelCaseList, LIST_ROW_PERSON_COLUMNS } from '../../db/person-columns';
import { decodeKeyCursor, encodeKeyCursor } from '../../domain/cursor';
import { DataContent } from '../../domain/enums';
import { isUuid, requirePageSize } from '../../domain/validation';
import { municipalitiesFor, type Viewer } from '../../domain/viewer';
import { HomeCareAllowanceList, HomeCareAllowanceRow } from '../../entities/home-care-allowance-list.entity';
import { type AccessLogService, entryFor } from '../access-log.service';
import type { MunicipalityService } from '../municipality.service';
import type {
  HomeCareAllowanceListPage as HomeCareAllowanceListConnection,
  HomeCareAllowanceRowPage as HomeCareAllowanceRowConnection,
} from '../shapes';

/** A list's position: its month (the first day) and municipality code. */
const LIST_KEY = ['date', 'text'] as const;
const isListPosition = ([month, code]: [string, string]) => month.endsWith('-01') && /^\d{3}$/.test(code);
/** A row's position: its row number. */
const ROW_KEY = ['int4'] as const;

/** Reads of child home care allowance lists: 24-month visibility, paging, rows, and rows for downloads. */
export class HomeCareAllowanceReadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
    private readonly accessLog: AccessLogService,
  ) {}

  private logRead(viewer: Viewer, now: Date, operation: string, lists: HomeCareAllowanceList[]): void {
    this.accessLog.recordRead(
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
      `SELECT r.row_number AS "rowNumber", ${camelCaseList(LIST_ROW_PERSON_COLUMNS, 'r')},
              r.allowance_start AS "allowanceStartDate", r.children_count AS "childrenCount"
         FROM home_care_allowance_list_row r
         JOIN home_care_allowance_list l ON l.id = r.list_id
        WHERE r.list_id = $1 AND l.municipality_code = ANY($2) AND l.expires_at > $3
        ORDER BY r.row_number`,
      [listId, municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE), now],
    ];
  }
}
