import { encodeCursor } from '../src/domain/cursor';
import { pendingDays, removalDue } from '../src/domain/notification-rules';

/*
 * What bench/api.ts measures, shared by the parent and the floor (bench/floor-serve.ts): the three cases, the GraphQL
 * each target is sent for them (the service's own schema, PostGraphile 4's and 5's generic schemas over the same
 * tables), how each answer's rows are read back for the check that all targets return the same rows, and the floor's
 * JSON builder, which must give byte for byte the response the service gives.
 */

/** The three requests measured: the New list of 50 with persons, one notification by id, the list of a postal code. */
export type BenchCase = 'list' | 'byId' | 'filtered';
export const BENCH_CASES: readonly BenchCase[] = ['list', 'byId', 'filtered'];

/** What a case asks for; a list of `first` New notifications of the municipality, optionally of one postal code. */
export type CaseInput =
  | { kind: 'list'; municipalityCode: string; postalCode?: string; first: number }
  | { kind: 'byId'; id: string };

/** Every scalar of the person, as the service names them. */
const SERVICE_PERSON = `personalIdentityCode firstNames lastName dateOfBirth nativeLanguage citizenship
          address { street postalCode postOffice }
          phoneNumber firstResidencePermitStart euEeaCitizen`;
/** Every scalar of the notification and of its person, no transfers. */
const SERVICE_NODE = `id kind status additionalInfo createdAt pendingDays processingStartedAt removalDue version
        person {
          ${SERVICE_PERSON}
        }`;

const SERVICE_LIST = `query BenchNotifications($filter: NotificationFilter!, $first: Int) {
  notifications(filter: $filter, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        ${SERVICE_NODE}
      }
    }
  }
}`;

const SERVICE_BY_ID = `query BenchNotification($id: ID!) {
  notification(id: $id) {
    ${SERVICE_NODE}
  }
}`;

/** The person's columns as PostGraphile names them (the address is three columns of the person table). */
const PEER_PERSON = `personalIdentityCode firstNames lastName dateOfBirth nativeLanguage citizenship street postalCode
  postOffice phoneNumber firstResidencePermitStart euEeaCitizen`;

/**
 * A peer's schema: PostGraphile 4 names the uuid primary key `id` (its Node id is `nodeId`); PostGraphile 5's Amber
 * preset names it `rowId` (its Node id is `id`).
 */
interface PeerNames {
  key: 'id' | 'rowId';
  keyOrder: 'ID_DESC' | 'ROW_ID_DESC';
  byKey: string;
}
const PEER_NAMES: Record<'postgraphile4' | 'postgraphile5', PeerNames> = {
  postgraphile4: { key: 'id', keyOrder: 'ID_DESC', byKey: 'notificationById(id: $id)' },
  postgraphile5: { key: 'rowId', keyOrder: 'ROW_ID_DESC', byKey: 'notificationByRowId(rowId: $id)' },
};

function peerNode(names: PeerNames): string {
  return `${names.key} kind status additionalInfo createdAt processingStartedAt version
        personByPersonId { ${PEER_PERSON} }`;
}

/**
 * The peers' list: the notifications connection with PostGraphile's condition (status and municipality columns;
 * postal code through the bench's filterable computed column notification_postal_code, see PEER_SQL), newest first
 * as the service orders, `first` rows, each with its person through the foreign key.
 */
function peerList(names: PeerNames, filtered: boolean): string {
  return `query BenchNotifications($municipalityCode: String!, $first: Int${filtered ? ', $postalCode: String!' : ''}) {
  allNotifications(
    condition: { status: "NEW", municipalityCode: $municipalityCode${filtered ? ', postalCode: $postalCode' : ''} }
    orderBy: [CREATED_AT_DESC, ${names.keyOrder}]
    first: $first
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        ${peerNode(names)}
      }
    }
  }
}`;
}

/**
 * Created in the bench's database for the peers only (the service ignores it): a computed column giving a
 * notification its person's postal code, tagged filterable (PostGraphile 4's @filterable, 5's +filterBy behaviour) so
 * that the generic condition can select a postal code's notifications. The closest a generic schema gets to the
 * service's postal-code filter without a plugin of its own; PostgreSQL inlines the SQL function.
 */
export const PEER_SQL = [
  `CREATE FUNCTION notification_postal_code(n notification) RETURNS char(5) LANGUAGE sql STABLE
     AS 'SELECT p.postal_code FROM person p WHERE p.id = n.person_id'`,
  `COMMENT ON FUNCTION notification_postal_code(notification) IS E'@filterable\\n@behavior +filterBy'`,
];

/** The targets measured; the floor is a node:http + pg server (bench/floor-serve.ts). */
export type TargetName = 'service' | 'postgraphile4' | 'postgraphile5' | 'floor';

/** The POST /graphql body a target is sent for a case. The floor reads the service's body. */
export function requestBody(target: TargetName, input: CaseInput): string {
  if (target === 'service' || target === 'floor') {
    return input.kind === 'byId'
      ? JSON.stringify({ query: SERVICE_BY_ID, variables: { id: input.id } })
      : JSON.stringify({
          query: SERVICE_LIST,
          variables: {
            filter: {
              status: 'NEW',
              municipalityCode: input.municipalityCode,
              ...(input.postalCode ? { postalCode: input.postalCode } : {}),
            },
            first: input.first,
          },
        });
  }
  const names = PEER_NAMES[target];
  if (input.kind === 'byId') {
    return JSON.stringify({
      query: `query BenchNotification($id: UUID!) {\n  ${names.byKey} {\n    ${peerNode(names)}\n  }\n}`,
      variables: { id: input.id },
    });
  }
  return JSON.stringify({
    query: peerList(names, input.postalCode !== undefined),
    variables: {
      municipalityCode: input.municipalityCode,
      first: input.first,
      ...(input.postalCode ? { postalCode: input.postalCode } : {}),
    },
  });
}

/** The rows an answer holds, read back the same way from every target: the total and the ids in order. */
export interface AnswerRows {
  totalCount: number | null;
  ids: string[];
}

type Edges = { edges?: { node?: Record<string, unknown> }[]; totalCount?: number };

/** Null when the answer has errors or no data. */
export function answerRows(target: TargetName, body: string): AnswerRows | null {
  let parsed: { data?: Record<string, unknown> | null; errors?: unknown[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return null;
  }
  if (parsed.errors || !parsed.data) return null;
  const key = target === 'postgraphile5' ? 'rowId' : 'id';
  const [value] = Object.values(parsed.data);
  if (value === null || typeof value !== 'object')
    return value === null ? { totalCount: null, ids: [] } : null;
  const list = value as Edges & Record<string, unknown>;
  if (Array.isArray(list.edges)) {
    return { totalCount: list.totalCount ?? null, ids: list.edges.map((edge) => String(edge.node?.[key])) };
  }
  return { totalCount: null, ids: [String(list[key])] };
}

/** A notification joined with its person, as the floor's one statement names the columns. */
export interface FloorRow {
  id: string;
  kind: string;
  status: string;
  additionalInfo: string | null;
  createdAt: Date;
  processingStartedAt: Date | null;
  version: number;
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

/** The node as the service gives it for SERVICE_NODE: same fields, same order. */
function serviceNode(row: FloorRow, now: Date) {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    additionalInfo: row.additionalInfo,
    createdAt: row.createdAt.toISOString(),
    pendingDays: pendingDays(row.createdAt, now),
    processingStartedAt: row.processingStartedAt?.toISOString() ?? null,
    removalDue: removalDue(row.createdAt).toISOString(),
    version: row.version,
    person: {
      personalIdentityCode: row.personalIdentityCode,
      firstNames: row.firstNames,
      lastName: row.lastName,
      dateOfBirth: row.dateOfBirth,
      nativeLanguage: row.nativeLanguage,
      citizenship: row.citizenship,
      address: { street: row.street, postalCode: row.postalCode, postOffice: row.postOffice },
      phoneNumber: row.phoneNumber,
      firstResidencePermitStart: row.firstResidencePermitStart,
      euEeaCitizen: row.euEeaCitizen,
    },
  };
}

/** The service's answer to SERVICE_LIST from up to first + 1 rows (the extra one tells there is a next page). */
export function listResponse(
  totalCount: number,
  rows: readonly FloorRow[],
  first: number,
  now: Date,
): string {
  const edges = rows
    .slice(0, first)
    .map((row) => ({ cursor: encodeCursor(row), node: serviceNode(row, now) }));
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

/** The service's answer to SERVICE_BY_ID. */
export function nodeResponse(row: FloorRow | undefined, now: Date): string {
  return `${JSON.stringify({ data: { notification: row ? serviceNode(row, now) : null } })}\n`;
}
