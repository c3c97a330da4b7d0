import { type DataContent, GrantWithheldReason } from './enums';
import type { AccessGrant } from './viewer';

/**
 * Kela's instructions: the use of Kelmu rests on an agreement between Kela and the authority. A person's mandate opens
 * a municipality's data content only while an organisation agreement in force that Finnish calendar day covers both
 * the municipality and the data content. The one place this rule lives.
 */
export interface OrganisationAgreementTerms {
  municipalityCodes: readonly string[];
  dataContents: readonly DataContent[];
  /** First and last day in force (YYYY-MM-DD, Finnish calendar days); validTo null when open-ended. */
  validFrom: string;
  validTo: string | null;
  endedAt: Date | null;
}

/** A grant of a person's mandate that is not in force, and why. */
export interface WithheldGrant extends AccessGrant {
  reason: GrantWithheldReason;
}

/** Per municipality code, the data contents that organisation agreements in force cover. */
export type AgreementCoverage = ReadonlyMap<string, ReadonlySet<DataContent>>;

export function isOrganisationAgreementInForce(agreement: OrganisationAgreementTerms, day: string): boolean {
  return (
    agreement.endedAt === null &&
    agreement.validFrom <= day &&
    (agreement.validTo === null || agreement.validTo >= day)
  );
}

/** What the agreements in force on `day` (a Finnish date) cover together. */
export function coverageOn(
  agreements: readonly OrganisationAgreementTerms[],
  day: string,
): AgreementCoverage {
  const coverage = new Map<string, Set<DataContent>>();
  for (const agreement of agreements) {
    if (!isOrganisationAgreementInForce(agreement, day)) continue;
    for (const code of agreement.municipalityCodes) {
      const contents = coverage.get(code) ?? new Set();
      for (const content of agreement.dataContents) contents.add(content);
      coverage.set(code, contents);
    }
  }
  return coverage;
}

/**
 * Splits a person's grants into those in force and those withheld: each grant keeps the data contents the coverage
 * has for its municipality; the rest are withheld with the reason, so that the viewer can be told why.
 */
export function applyOrganisationAgreements(
  grants: readonly AccessGrant[],
  coverage: AgreementCoverage,
): { grants: AccessGrant[]; withheldGrants: WithheldGrant[] } {
  const inForce: AccessGrant[] = [];
  const withheldGrants: WithheldGrant[] = [];
  for (const grant of grants) {
    const covered = coverage.get(grant.municipalityCode);
    const kept = grant.dataContents.filter((content) => covered?.has(content) === true);
    const withheld = grant.dataContents.filter((content) => covered?.has(content) !== true);
    if (kept.length > 0) {
      inForce.push(withheld.length === 0 ? grant : { ...grant, dataContents: kept });
    }
    if (withheld.length > 0) {
      withheldGrants.push({
        municipalityCode: grant.municipalityCode,
        dataContents: withheld,
        purpose: grant.purpose,
        reason: GrantWithheldReason.NO_ORGANISATION_AGREEMENT,
      });
    }
  }
  return { grants: inForce, withheldGrants };
}
