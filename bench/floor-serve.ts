import http from 'node:http';
import pg from 'pg';
import { removalThreshold } from '../src/domain/notification-rules';
import { type FloorRow, listResponse, nodeResponse } from './api-query';
import { required, serveUntilStopped } from './child-env';

/**
 * The floor for bench/api.ts: the least a Node.js server can do to answer the benchmark's requests. A bare node:http
 * handler and a `pg` Pool of the service's size run ONE prepared statement per request (the page joined with its
 * persons, the total count in the same statement) and build the service's JSON with JSON.stringify, byte for byte
 * what the service sends. The rules are the service's: the viewer's municipality (BENCH_MUNICIPALITY, the one the
 * bench's token may see), New always visible, in-processing ones only within 30 days. No Express, no GraphQL, no
 * token, no permission checks, no access log. Reports its port over IPC; stops like bench/api-serve.ts.
 */

// As the service's data source: DATE columns stay 'YYYY-MM-DD' strings.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

const municipalities = [required('BENCH_MUNICIPALITY')];
const pool = new pg.Pool({
  connectionString: required('BENCH_DB_URL'),
  max: Number(required('BENCH_POOL_SIZE')),
  application_name: 'kelmu-bench-floor',
});

const COLUMNS = `n.id AS "id", n.kind AS "kind", n.status AS "status", n.additional_info AS "additionalInfo",
  n.created_at AS "createdAt", n.processing_started_at AS "processingStartedAt", n.version AS "version",
  p.personal_identity_code AS "personalIdentityCode", p.first_names AS "firstNames", p.last_name AS "lastName",
  p.date_of_birth AS "dateOfBirth", p.native_language AS "nativeLanguage", p.citizenship AS "citizenship",
  p.street AS "street", p.postal_code AS "postalCode", p.post_office AS "postOffice",
  p.phone_number AS "phoneNumber", p.first_residence_permit_start AS "firstResidencePermitStart",
  p.eu_eea_citizen AS "euEeaCitizen"`;

/** $1 viewer's municipalities, $2 30-day threshold, $3 status, $4 municipality, $5 page size + 1 (, $6 postal code). */
function listStatement(filtered: boolean): string {
  const where = `n.municipality_code = ANY($1) AND (n.status = 'NEW' OR n.created_at >= $2)
      AND n.status = $3 AND n.municipality_code = $4
      ${filtered ? 'AND n.person_id IN (SELECT q.id FROM person q WHERE q.postal_code = $6)' : ''}`;
  return `WITH page AS (
    SELECT n.* FROM notification n WHERE ${where} ORDER BY n.created_at DESC, n.id DESC LIMIT $5
  )
  SELECT ${COLUMNS}, (SELECT count(*) FROM notification n WHERE ${where})::int AS "totalCount"
    FROM page n JOIN person p ON p.id = n.person_id
   ORDER BY n.created_at DESC, n.id DESC`;
}

const STATEMENTS = {
  list: { name: 'floor_list', text: listStatement(false) },
  filtered: { name: 'floor_list_postal_code', text: listStatement(true) },
  byId: {
    name: 'floor_notification',
    text: `SELECT ${COLUMNS} FROM notification n JOIN person p ON p.id = n.person_id
      WHERE n.id = $3 AND n.municipality_code = ANY($1) AND (n.status = 'NEW' OR n.created_at >= $2)`,
  },
};

interface Variables {
  id?: string;
  filter?: { status: string; municipalityCode: string; postalCode?: string };
  first?: number;
}

/** The answer to the service's body for the same request; the bench's lists are never empty (the count rides on the rows). */
async function answer(variables: Variables): Promise<string> {
  const now = new Date();
  const threshold = removalThreshold(now);
  if (variables.id !== undefined) {
    const { rows } = await pool.query<FloorRow>({
      ...STATEMENTS.byId,
      values: [municipalities, threshold, variables.id],
    });
    return nodeResponse(rows[0], now);
  }
  const { filter, first = 50 } = variables;
  if (!filter) throw new Error('a list needs a filter');
  const statement = filter.postalCode ? STATEMENTS.filtered : STATEMENTS.list;
  const values = [municipalities, threshold, filter.status, filter.municipalityCode, first + 1];
  if (filter.postalCode) values.push(filter.postalCode);
  const { rows } = await pool.query<FloorRow & { totalCount: number }>({ ...statement, values });
  if (rows.length === 0) throw new Error('the floor serves non-empty pages only');
  return listResponse(rows[0]?.totalCount ?? 0, rows, first, now);
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let variables: Variables;
    try {
      ({ variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: Variables });
    } catch {
      send(res, 400, '{"errors":[{"message":"unreadable body"}]}');
      return;
    }
    answer(variables).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        console.error(error);
        send(res, 500, '{"errors":[{"message":"floor failed"}]}');
      },
    );
  });
});

serveUntilStopped(server, async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.end();
});
