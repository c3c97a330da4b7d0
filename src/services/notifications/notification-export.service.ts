import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { camelCaseList, PERSON_DATA_COLUMNS } from '../../db/person-columns';
import {
  type AgeSignalThresholds,
  ageSignalCreatedRange,
  DEFAULT_AGE_SIGNAL_THRESHOLDS,
} from '../../domain/age-signal';
import { finnishDate } from '../../domain/clock';
import { DataContent, NotificationOrder } from '../../domain/enums';
import { pendingDaysSql, removalDueSql, removalThreshold, visibleSql } from '../../domain/notification-rules';
import { isUuid, requirePersonalIdentityCode, requirePostalCode } from '../../domain/validation';
import { municipalitiesFor, type Viewer } from '../../domain/viewer';
import { Notification } from '../../entities/notification.entity';
import type { MunicipalityService } from '../municipality.service';
import type { NotificationFilterShape as NotificationFilter } from '../shapes';

/** The data of notification downloads: what a file contains and the statement that streams it. */
export class NotificationExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
    private readonly ageSignalThresholds: AgeSignalThresholds = DEFAULT_AGE_SIGNAL_THRESHOLDS,
  ) {}

  /** Rows of the viewer's municipalities only, in either list, without in-processing ones past 30 days. */
  private visibleTo(viewer: Viewer, now: Date, manager?: EntityManager): SelectQueryBuilder<Notification> {
    const codes = municipalitiesFor(viewer, DataContent.INTEGRATION_SERVICES);
    return (manager ?? this.dataSource.manager)
      .getRepository(Notification)
      .createQueryBuilder('n')
      .where('n.municipality_code = ANY(:codes)', { codes })
      .andWhere(visibleSql(':threshold'), { threshold: removalThreshold(now) });
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
    if (filter.ageSignal != null) {
      const range = ageSignalCreatedRange(filter.ageSignal, now, this.ageSignalThresholds);
      if (range.from) query.andWhere('n.created_at >= :ageFrom', { ageFrom: range.from });
      if (range.before) query.andWhere('n.created_at < :ageBefore', { ageBefore: range.before });
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
   * SQL and parameters for the CSV download: one flat row per notification with its person, newest first unless
   * `order` says otherwise (as the `notifications` query).
   * Pending days and removal time are computed in SQL (Helsinki calendar days, as in the API) so that the rows can stream straight to the client.
   */
  exportQuery(
    viewer: Viewer,
    selection: NotificationFilter | { id: string },
    now: Date,
    order = NotificationOrder.NEWEST_FIRST,
  ): [string, unknown[]] {
    const direction = order === NotificationOrder.OLDEST_FIRST ? 'ASC' : 'DESC';
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
        `${pendingDaysSql(':today')} AS "pendingDays"`,
        `${removalDueSql()} AS "removalDue"`,
        camelCaseList(PERSON_DATA_COLUMNS, 'p'),
        'n.criteria AS "criteria"',
        'n.residence_basis AS "residenceBasis"',
        'n.additional_info AS "additionalInfo"',
      ])
      .setParameter('today', finnishDate(now))
      .orderBy('n.created_at', direction)
      .addOrderBy('n.id', direction)
      .getQueryAndParameters();
  }
}
