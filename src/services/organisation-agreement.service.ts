import type { DataSource } from 'typeorm';
import { BACKGROUND_REFRESH_MARKER } from '../db/data-source';
import type { DataContent } from '../domain/enums';
import {
  type AgreementCoverage,
  applyOrganisationAgreements,
  coverageOn,
  type WithheldGrant,
} from '../domain/organisation-agreement';
import type { AccessGrant } from '../domain/viewer';
import { logger } from '../logger';
import { AgreementError, termsProblems } from './agreement.service';

/** Kela's agreement with an authority (municipality, joint municipal authority, welfare area). */
export interface OrganisationAgreement {
  id: string;
  organisationName: string;
  businessId: string;
  legalBasis: string;
  dataContents: DataContent[];
  municipalityCodes: string[];
  validFrom: string;
  validTo: string | null;
  endedAt: Date | null;
}

export type NewOrganisationAgreement = Omit<OrganisationAgreement, 'id' | 'endedAt'>;

/** How often the service reads the organisation agreements again by default (ORGANISATION_AGREEMENT_REFRESH_SECONDS). */
export const DEFAULT_ORGANISATION_AGREEMENT_REFRESH_SECONDS = 10;

const COLUMNS = `id, organisation_name AS "organisationName", business_id AS "businessId", legal_basis AS "legalBasis",
  data_contents AS "dataContents", municipality_codes AS "municipalityCodes", valid_from AS "validFrom",
  valid_to AS "validTo", ended_at AS "endedAt"`;

/**
 * Organisation agreements: registered and ended with `npm run agreements`, and kept in memory by the serving process so
 * that checking a person's grants costs no SQL statement per request. The process reads them again every refresh
 * interval: an agreement added or ended takes effect within that time; one that expires (valid to) takes effect at
 * the Finnish midnight, since the day is checked per request.
 */
export class OrganisationAgreementService {
  private agreements: readonly OrganisationAgreement[] = [];
  private coverage: { day: string; value: AgreementCoverage } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Reads started and the newest one applied, so that reads finishing out of order keep the newest. */
  private started = 0;
  private applied = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly isKnownMunicipality: (code: string) => boolean,
  ) {}

  /**
   * Reads the agreements not ended into memory; the check uses them until the next refresh. Every call reads anew (one
   * already under way may have started before the change its caller waits for), and an older read finishing late
   * never replaces a newer one.
   */
  async refresh(): Promise<void> {
    this.started += 1;
    const sequence = this.started;
    const rows: OrganisationAgreement[] = await this.dataSource.query(
      `${BACKGROUND_REFRESH_MARKER} SELECT ${COLUMNS} FROM organisation_agreement WHERE ended_at IS NULL
        ORDER BY valid_from, id`,
    );
    if (sequence < this.applied) return;
    this.applied = sequence;
    this.agreements = rows;
    this.coverage = undefined;
  }

  /**
   * Loads the agreements now and then every `seconds` until stop(). A failed refresh keeps the agreements last read
   * (the database being away fails the requests anyway) and is logged.
   */
  async start(seconds: number): Promise<void> {
    await this.refresh();
    this.stop();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => {
        logger.warn(
          { err: error },
          'organisation agreements could not be refreshed; the last ones read stay in use',
        );
      });
    }, seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A person's grants split into those in force on `day` (a Finnish date) and those withheld, from memory. */
  apply(
    grants: readonly AccessGrant[],
    day: string,
  ): { grants: AccessGrant[]; withheldGrants: WithheldGrant[] } {
    if (this.coverage?.day !== day) this.coverage = { day, value: coverageOn(this.agreements, day) };
    return applyOrganisationAgreements(grants, this.coverage.value);
  }

  async add(agreement: NewOrganisationAgreement): Promise<OrganisationAgreement> {
    const problems = termsProblems(agreement, this.isKnownMunicipality);
    if (problems.length > 0) throw new AgreementError(`Invalid agreement: ${problems.join('; ')}.`);
    const [created]: OrganisationAgreement[] = await this.dataSource.query(
      `INSERT INTO organisation_agreement (organisation_name, business_id, legal_basis, data_contents,
                                           municipality_codes, valid_from, valid_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        agreement.organisationName,
        agreement.businessId,
        agreement.legalBasis,
        agreement.dataContents,
        agreement.municipalityCodes,
        agreement.validFrom,
        agreement.validTo,
      ],
    );
    return created as OrganisationAgreement;
  }

  list(): Promise<OrganisationAgreement[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM organisation_agreement ORDER BY organisation_name, valid_from, id`,
    );
  }

  /** Ends an agreement now; serving processes stop honouring it at their next refresh. Undefined when none has the id. */
  async end(id: string, now: Date): Promise<OrganisationAgreement | undefined> {
    const [ended]: OrganisationAgreement[] = await this.dataSource
      .query(
        `UPDATE organisation_agreement SET ended_at = $2 WHERE id::text = $1 AND ended_at IS NULL
         RETURNING ${COLUMNS}`,
        [id, now],
      )
      .then((result: [OrganisationAgreement[], number]) => result[0]);
    return ended;
  }
}
