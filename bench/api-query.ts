import { encodeCursor } from '../src/domain/cursor';
import { pendingDays, removalDue } from '../src/domain/notification-rules';

/*
 * What bench/api.ts measures, shared by the parent, the service child (bench/api-serve.ts) and the floor
 * (bench/floor-serve.ts): the GraphQL list query, the captured SQL plan the floor replays, and the floor's JSON
 * builder, which must give byte for byte the response the service gives for the query below.
 */

/** The New list with the person: every scalar of the notification and of the person, no transfers. */
const LIST_QUERY = `query BenchNotifications($filter: NotificationFilter!, $first: Int) {
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
 * (removalThreshold of the request time, as the service computes it per request), or the page's person ids.
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

/** A notification row as the service's list statement names its columns (src/services/notification.service.ts). */
export interface NotificationRow {
  id: string;
  kind: string;
  status: string;
  personId: string;
  additionalInfo: string | null;
  createdAt: Date;
  processingStartedAt: Date | null;
  version: number;
}

/** A person row as the person loader's statement names its columns (src/loaders/index.ts). */
export interface PersonRow {
  id: string;
  personalIdentityCode: string;
  firstNames: string;
  lastName: string;
  dateOfBirth: string;
  nativeLanguage: string | null;
  citizenship: string | null;
  street: string;
  postalCode: string;
  postOffice: string;
  phoneNumber: string | null;
  firstResidencePermitStart: string | null;
  euEeaCitizen: boolean;
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
    const person = persons.get(row.personId);
    return {
      cursor: encodeCursor(row),
      node: {
        id: row.id,
        kind: row.kind,
        status: row.status,
        additionalInfo: row.additionalInfo,
        createdAt: row.createdAt.toISOString(),
        pendingDays: pendingDays(row.createdAt, now),
        processingStartedAt: row.processingStartedAt?.toISOString() ?? null,
        removalDue: removalDue(row.createdAt).toISOString(),
        version: row.version,
        person: person
          ? {
              personalIdentityCode: person.personalIdentityCode,
              firstNames: person.firstNames,
              lastName: person.lastName,
              dateOfBirth: person.dateOfBirth,
              nativeLanguage: person.nativeLanguage,
              citizenship: person.citizenship,
              address: {
                street: person.street,
                postalCode: person.postalCode,
                postOffice: person.postOffice,
              },
              phoneNumber: person.phoneNumber,
              firstResidencePermitStart: person.firstResidencePermitStart,
              euEeaCitizen: person.euEeaCitizen,
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
