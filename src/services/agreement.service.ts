import { FinnishBusinessIds } from 'finnish-business-ids';
import type { DataSource } from 'typeorm';
import { DataContent } from '../domain/enums';
import { isCalendarDate } from '../domain/validation';
import type { AccessGrant } from '../domain/viewer';

export interface Agreement {
  id: string;
  clientId: string;
  organisationName: string;
  businessId: string;
  legalBasis: string;
  dataContents: DataContent[];
  municipalityCodes: string[];
  validFrom: string;
  validTo: string | null;
  endedAt: Date | null;
}

export type NewAgreement = Omit<Agreement, 'id' | 'endedAt'>;

export class AgreementError extends Error {}

const COLUMNS = `id, client_id AS "clientId", organisation_name AS "organisationName", business_id AS "businessId",
  legal_basis AS "legalBasis", data_contents AS "dataContents", municipality_codes AS "municipalityCodes",
  valid_from AS "validFrom", valid_to AS "validTo", ended_at AS "endedAt"`;

/**
 * Partner systems' agreements with Kela: which data contents of which municipalities an organisation's own system
 * may receive, on what legal basis, for what period. Read on every request, so that ending one takes effect at once.
 */
export class AgreementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly isKnownMunicipality: (code: string) => boolean,
  ) {}

  /** A client's agreements in force on `day` (a Finnish date), oldest first. */
  inForce(clientId: string, day: string): Promise<Agreement[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM partner_agreement
        WHERE client_id = $1 AND ended_at IS NULL AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)
        ORDER BY valid_from`,
      [clientId, day],
    );
  }

  async add(agreement: NewAgreement): Promise<Agreement> {
    this.validate(agreement);
    const [created]: Agreement[] = await this.dataSource.query(
      `INSERT INTO partner_agreement (client_id, organisation_name, business_id, legal_basis, data_contents,
                                      municipality_codes, valid_from, valid_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [
        agreement.clientId,
        agreement.organisationName,
        agreement.businessId,
        agreement.legalBasis,
        agreement.dataContents,
        agreement.municipalityCodes,
        agreement.validFrom,
        agreement.validTo,
      ],
    );
    return created as Agreement;
  }

  list(clientId?: string): Promise<Agreement[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM partner_agreement WHERE $1::text IS NULL OR client_id = $1 ORDER BY client_id, valid_from`,
      [clientId ?? null],
    );
  }

  /** Ends an agreement now; the client's next request no longer has its rights. */
  async end(id: string, now: Date): Promise<Agreement> {
    const [ended]: Agreement[] = await this.dataSource
      .query(
        `UPDATE partner_agreement SET ended_at = $2 WHERE id::text = $1 AND ended_at IS NULL RETURNING ${COLUMNS}`,
        [id, now],
      )
      .then((result: [Agreement[], number]) => result[0]);
    if (!ended) throw new AgreementError(`No agreement in force with id ${id}.`);
    return ended;
  }

  private validate(agreement: NewAgreement): void {
    const problems: string[] = [];
    if (!agreement.clientId.trim()) problems.push('client id is required');
    problems.push(...termsProblems(agreement, this.isKnownMunicipality));
    if (problems.length > 0) throw new AgreementError(`Invalid agreement: ${problems.join('; ')}.`);
  }
}

/** What an agreement's terms (partner or organisation agreement alike) get wrong; empty when nothing. */
export function termsProblems(
  agreement: Omit<NewAgreement, 'clientId'>,
  isKnownMunicipality: (code: string) => boolean,
): string[] {
  const problems: string[] = [];
  if (!agreement.organisationName.trim()) problems.push('organisation name is required');
  if (!FinnishBusinessIds.isValidBusinessId(agreement.businessId)) {
    problems.push(
      `business id ${agreement.businessId} is not a valid Y-tunnus (1234567-8 with its check digit)`,
    );
  }
  if (!agreement.legalBasis.trim()) problems.push('legal basis is required');
  if (agreement.legalBasis.length > 2000) problems.push('legal basis is at most 2,000 characters');
  const contents = new Set<string>(Object.values(DataContent));
  for (const content of agreement.dataContents) {
    if (!contents.has(content)) problems.push(`unknown data content ${content}`);
  }
  if (agreement.dataContents.length === 0) problems.push('at least one data content');
  if (agreement.municipalityCodes.length === 0) problems.push('at least one municipality');
  for (const code of agreement.municipalityCodes) {
    if (!isKnownMunicipality(code)) problems.push(`unknown municipality ${code}`);
  }
  if (!isCalendarDate(agreement.validFrom)) problems.push('valid from must be a date YYYY-MM-DD');
  if (
    agreement.validTo !== null &&
    (!isCalendarDate(agreement.validTo) || agreement.validTo < agreement.validFrom)
  ) {
    problems.push('valid to must be a date YYYY-MM-DD on or after valid from');
  }
  return problems;
}

/** Access grants per municipality from the agreements in force: their data contents, and which agreements give them. */
export function grantsOf(agreements: readonly Agreement[]): AccessGrant[] {
  const byMunicipality = new Map<string, { contents: Set<DataContent>; purposes: Set<string> }>();
  for (const agreement of agreements) {
    for (const code of agreement.municipalityCodes) {
      const entry = byMunicipality.get(code) ?? { contents: new Set(), purposes: new Set() };
      for (const content of agreement.dataContents) entry.contents.add(content);
      entry.purposes.add(`agreement:${agreement.id}`);
      byMunicipality.set(code, entry);
    }
  }
  return [...byMunicipality].map(([municipalityCode, entry]) => ({
    municipalityCode,
    dataContents: [...entry.contents].sort(),
    purpose: [...entry.purposes].sort().join(','),
  }));
}
