import { DataContent, ViewerKind } from './enums';
import { UnauthenticatedError } from './errors';
import { MANDATE_ISSUE_DATA_CONTENTS, STRONG_AUTHENTICATION_ACRS } from './mandate-data-contents';

/** Access to one municipality's data, with the purpose (mandate issue or agreement) that grants it. */
export interface AccessGrant {
  municipalityCode: string;
  dataContents: DataContent[];
  /** The mandate issue or agreement the access rests on; recorded in the audit trail. */
  purpose: string;
}

export interface AnonymousViewer {
  kind: 'ANONYMOUS';
}

export interface AuthenticatedViewer {
  kind: ViewerKind;
  /** Token subject (person) or client id (partner system). Never a personal identity code. */
  id: string;
  name: string;
  /** Whether the person authenticated at level substantial or high; partner systems count as strong. */
  stronglyAuthenticated: boolean;
  grants: AccessGrant[];
}

export type Viewer = AnonymousViewer | AuthenticatedViewer;

export const ANONYMOUS: AnonymousViewer = { kind: 'ANONYMOUS' };

export function isAuthenticated(viewer: Viewer): viewer is AuthenticatedViewer {
  return viewer.kind !== 'ANONYMOUS';
}

/** Municipality codes where the viewer may see a data content. Weak authentication sees none. */
export function municipalitiesFor(viewer: Viewer, content: DataContent): string[] {
  if (!isAuthenticated(viewer) || !viewer.stronglyAuthenticated) return [];
  return viewer.grants.filter((g) => g.dataContents.includes(content)).map((g) => g.municipalityCode);
}

/** Per viewer value and data content; row-scope rules ask this for every field of every row. */
const scopes = new WeakMap<Viewer, Map<DataContent, ReadonlySet<string>>>();

export function canAccess(viewer: Viewer, content: DataContent, municipalityCode: string): boolean {
  let byContent = scopes.get(viewer);
  if (!byContent) {
    byContent = new Map();
    scopes.set(viewer, byContent);
  }
  let scope = byContent.get(content);
  if (!scope) {
    scope = new Set(municipalitiesFor(viewer, content));
    byContent.set(content, scope);
  }
  return scope.has(municipalityCode);
}

/**
 * One Suomi.fi mandate in a person's token: for one municipality, or (social-care notices) for a whole recipient of
 * Kela's notices, a welfare area, HEL or AX.
 */
export type Mandate =
  | { municipality: string; welfareArea?: undefined; issues: string[] }
  | { welfareArea: string; municipality?: undefined; issues: string[] };

/** The municipality codes of a recipient (welfare area id, HEL or AX); undefined for an unknown id. */
export type RecipientMunicipalities = (recipientId: string) => readonly string[] | undefined;

/**
 * Mandate issues a welfare-area mandate may carry: Kela's social-care notices go to welfare areas, Helsinki and Åland
 * as recipients, so that mandate may name one, and so may the review of the access log those reads are logged in
 * (under the recipient). Any other issue on it, the integration-services one included, opens nothing.
 */
const RECIPIENT_MANDATE_ISSUES: ReadonlySet<string> = new Set([
  'SOCIAL_ASSISTANCE_CLIENT_DATA',
  'ACCESS_LOG_REVIEW',
]);

/**
 * Folds the token's mandates into grants per municipality, through the one mandate-issue mapping. A welfare-area
 * mandate is every municipality of that recipient; an unknown welfare area, like an unknown issue, grants nothing
 * (the token is not refused: its other mandates still hold).
 */
export function grantsFromMandates(
  mandates: readonly Mandate[],
  municipalitiesOf: RecipientMunicipalities = () => undefined,
): AccessGrant[] {
  const byMunicipality = new Map<string, { contents: Set<DataContent>; purposes: Set<string> }>();
  const grant = (municipality: string, issue: string, contents: readonly DataContent[]) => {
    const entry = byMunicipality.get(municipality) ?? { contents: new Set(), purposes: new Set() };
    for (const content of contents) entry.contents.add(content);
    entry.purposes.add(issue);
    byMunicipality.set(municipality, entry);
  };
  for (const mandate of mandates) {
    for (const issue of mandate.issues) {
      const contents = MANDATE_ISSUE_DATA_CONTENTS.get(issue);
      if (!contents || contents.length === 0) continue;
      if (mandate.welfareArea !== undefined) {
        if (!RECIPIENT_MANDATE_ISSUES.has(issue)) continue;
        for (const municipality of municipalitiesOf(mandate.welfareArea) ?? [])
          grant(municipality, issue, contents);
      } else {
        grant(mandate.municipality, issue, contents);
      }
    }
  }
  return [...byMunicipality].map(([municipalityCode, entry]) => ({
    municipalityCode,
    dataContents: [...entry.contents].sort(),
    purpose: [...entry.purposes].sort().join(','),
  }));
}

export function isStrongAcr(acr: string | undefined): boolean {
  return acr !== undefined && STRONG_AUTHENTICATION_ACRS.has(acr);
}

/** What the `viewer` query shows: the grants that are in force (none without strong authentication). */
export function describeViewer(viewer: Viewer): AuthenticatedViewer {
  if (!isAuthenticated(viewer)) throw new UnauthenticatedError();
  return viewer.stronglyAuthenticated ? viewer : { ...viewer, grants: [] };
}
