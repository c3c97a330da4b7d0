import type { DataSource } from 'typeorm';
import { columnList, LIST_ROW_PERSON_COLUMNS, personColumns } from '../../db/person-columns';
import { EU_EEA_CITIZENSHIPS, listedImmigrantSql } from '../../domain/immigrant';
import { listGenerationDay } from '../../domain/last-weekday';
import { listExpiresAt } from '../../domain/retention';
import { recordAudit, SYSTEM_ACTORS } from '../audit.service';

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

/** A recipient's person columns, the phone number included: the lists exist so that the client can be reached. */
const CANDIDATE_COLUMNS = personColumns();

/** The monthly run of child home care allowance lists. */
export class HomeCareAllowanceGenerationService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The monthly run for the month of `asOf`: on or after its last weekday, one list per municipality (empty when it has
   * none) of the immigrant recipients (`isListedImmigrant`: EU/EEA citizens or holders of a residence permit, never Finnish citizens) whose allowance is in force that day: imported
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
           SELECT ${columnList(CANDIDATE_COLUMNS, 'r')}, r.municipality_code, r.allowance_start, r.children_count
             FROM home_care_allowance_recipient r
            WHERE r.allowance_start <= $1 AND (r.allowance_end IS NULL OR r.allowance_end >= $1)
           UNION ALL
           -- Benefit facts: a payment for the month makes a recipient; the allowance started with the first payment.
           SELECT ${columnList(CANDIDATE_COLUMNS, 'b')}, b.municipality_code,
                  (SELECT min(f.month) FROM home_care_allowance_payment f
                    WHERE f.personal_identity_code = b.personal_identity_code),
                  p.children_count
             FROM home_care_allowance_payment p
             JOIN benefit_person b ON b.personal_identity_code = p.personal_identity_code
            WHERE p.month = $2
         ), eligible AS (
           SELECT DISTINCT ON (c.personal_identity_code) c.*
             FROM candidates c
            WHERE ${listedImmigrantSql('c', '$5')}
            ORDER BY c.personal_identity_code, c.allowance_start DESC
         ), numbered AS (
           SELECT e.*, row_number() OVER (PARTITION BY e.municipality_code
                                          ORDER BY e.last_name COLLATE "fi-FI-x-icu", e.first_names COLLATE "fi-FI-x-icu",
                                                   e.personal_identity_code) AS position
             FROM eligible e
         ), lists AS (
           INSERT INTO home_care_allowance_list (municipality_code, month, generated_on, generated_at, expires_at, row_count)
           -- Every municipality of the reference data gets a list, empty when it has no recipients, so that "no list"
           -- always means "not generated"; a recipient's municipality missing from the reference data still gets one.
           SELECT m.code, $2, $1, $3, $4, count(n.municipality_code)
             FROM (SELECT code FROM municipality UNION SELECT municipality_code FROM numbered) m
             LEFT JOIN numbered n ON n.municipality_code = m.code
            GROUP BY m.code
           ON CONFLICT (municipality_code, month) DO NOTHING
           RETURNING id, municipality_code
         ), inserted AS (
           INSERT INTO home_care_allowance_list_row
             (list_id, row_number, ${columnList(LIST_ROW_PERSON_COLUMNS)}, allowance_start, children_count)
           SELECT l.id, n.position, ${columnList(LIST_ROW_PERSON_COLUMNS, 'n')}, n.allowance_start, n.children_count
             FROM numbered n JOIN lists l ON l.municipality_code = n.municipality_code
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM lists) AS lists, (SELECT count(*) FROM inserted) AS rows`,
        [generationDay, monthStart, now, listExpiresAt(now), [...EU_EEA_CITIZENSHIPS]],
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
