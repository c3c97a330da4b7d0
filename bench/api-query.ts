/*
 * What bench/api.ts measures, shared by the parent, the service child (bench/api-serve.ts) and the floor
 * (bench/floor-serve.ts): the GraphQL list query, the captured SQL plan the floor replays, and the floor's JSON
 * builder, which must give byte for byte the response the service gives for the query below.
 */

/** The New list with the person: every scalar of the notification and of the person, no transfers. */
export const LIST_QUERY = `query BenchNotifications($filter: NotificationFilter!, $first: Int) {
  notifications(filter: $filter, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id kind status additionalInfo createdAt pendingDays processingStartedAt removalDue version
        person {
          personalIdentityCode firstNames lastName dateOfBirth nativeLanguage citizenship
          address { street postalCode postOffice }
          phoneNumber firstResidencePermitStart euEeaCitizen
        }
      }
    }
  }
}`;

export interface ListVariables {
  filter: { status: 'NEW'; municipalityCode: string; postalCode?: string };
  first: number;
}

export function listBody(variables: ListVariables): string {
  return JSON.stringify({ query: LIST_QUERY, variables });
}

/** The access log's batched insert (src/services/access-log.service.ts): written on a timer, outside any request. */
export const ACCESS_LOG_INSERT = /INSERT\s+INTO\s+"?access_log"?/i;

/** A SQL parameter as the service's recording logger reports it: Dates tagged so that they survive JSON. */
export type CapturedValue = string | number | boolean | null | CapturedValue[] | { $date: string };

export interface CapturedStatement {
  sql: string;
  parameters: CapturedValue[];
}

/**
 * A parameter of a replayed statement: a constant of the captured request, the in-processing threshold
 * (request time − 30 × 24 h, as the service computes it per request), or the page's person ids.
 */
export type PlanParameter =
  | { kind: 'const'; value: CapturedValue }
  | { kind: 'threshold' }
  | { kind: 'personIds' };

export interface PlannedStatement {
  sql: string;
  parameters: PlanParameter[];
}

/** The three statements the service runs for one list request, in its order: count, page (+1 row), persons. */
export interface FloorPlan {
  first: number;
  count: PlannedStatement;
  page: PlannedStatement;
  persons: PlannedStatement;
}

export type FloorPlans = Record<'unfiltered' | 'filtered', FloorPlan>;

const DAY_MS = 86_400_000;
export const REMOVAL_AFTER_MS = 30 * DAY_MS;

/** Column aliases as TypeORM's query builder writes them: `"n"."created_at" AS "n_created_at"`. */
export interface NotificationRow {
  n_id: string;
  n_kind: string;
  n_status: string;
  n_person_id: string;
  n_additional_info: string | null;
  n_created_at: Date;
  n_processing_started_at: Date | null;
  n_version: number;
}

export interface PersonRow {
  p_id: string;
  p_personal_identity_code: string;
  p_first_names: string;
  p_last_name: string;
  p_date_of_birth: string;
  p_native_language: string | null;
  p_citizenship: string | null;
  p_street: string;
  p_postal_code: string;
  p_post_office: string;
  p_phone_number: string | null;
  p_first_residence_permit_start: string | null;
  p_eu_eea_citizen: boolean;
}

function cursorOf(row: NotificationRow): string {
  return Buffer.from(JSON.stringify([row.n_created_at.toISOString(), row.n_id])).toString('base64url');
}

/** The response the service gives for LIST_QUERY, built straight from the rows: what the floor sends. */
export function listResponse(
  totalCount: number,
  rows: readonly NotificationRow[],
  first: number,
  persons: ReadonlyMap<string, PersonRow>,
  now: Date,
): string {
  const page = rows.slice(0, first);
  const edges = page.map((row) => {
    const created = row.n_created_at.getTime();
    const person = persons.get(row.n_person_id);
    return {
      cursor: cursorOf(row),
      node: {
        id: row.n_id,
        kind: row.n_kind,
        status: row.n_status,
        additionalInfo: row.n_additional_info,
        createdAt: row.n_created_at.toISOString(),
        pendingDays: Math.max(0, Math.floor((now.getTime() - created) / DAY_MS)),
        processingStartedAt: row.n_processing_started_at?.toISOString() ?? null,
        removalDue: new Date(created + REMOVAL_AFTER_MS).toISOString(),
        version: row.n_version,
        person: person
          ? {
              personalIdentityCode: person.p_personal_identity_code,
              firstNames: person.p_first_names,
              lastName: person.p_last_name,
              dateOfBirth: person.p_date_of_birth,
              nativeLanguage: person.p_native_language,
              citizenship: person.p_citizenship,
              address: {
                street: person.p_street,
                postalCode: person.p_postal_code,
                postOffice: person.p_post_office,
              },
              phoneNumber: person.p_phone_number,
              firstResidencePermitStart: person.p_first_residence_permit_start,
              euEeaCitizen: person.p_eu_eea_citizen,
            }
          : null,
      },
    };
  });
  const last = edges.at(-1);
  // Apollo ends its JSON with a newline too.
  return `${JSON.stringify({
    data: {
      notifications: {
        totalCount,
        pageInfo: { hasNextPage: rows.length > first, endCursor: last ? last.cursor : null },
        edges,
      },
    },
  })}\n`;
}
