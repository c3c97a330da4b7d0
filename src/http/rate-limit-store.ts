import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Pool } from 'pg';

/**
 * One statement per request: start the client's window, or count one more hit in it, or start a new window once the
 * old one has passed; atomic under concurrent requests from every instance (the row lock of ON CONFLICT DO UPDATE).
 * The database's clock decides the windows, so instances with skewed clocks still agree.
 */
/** The reset time as epoch milliseconds: a float parses faster in pg than a timestamptz string into a Date. */
const RESET_MS = '(extract(epoch FROM reset_at) * 1000)::float8 AS reset_ms';

const HIT = `INSERT INTO rate_limit_hit AS r (key, hits, reset_at)
  VALUES ($1, 1, now() + make_interval(secs => $2::double precision / 1000))
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.hits + 1 END,
    reset_at = CASE WHEN r.reset_at <= now() THEN excluded.reset_at ELSE r.reset_at END
  RETURNING hits, ${RESET_MS}`;

const GET = `SELECT hits, ${RESET_MS} FROM rate_limit_hit WHERE key = $1 AND reset_at > now()`;
const DECREMENT =
  'UPDATE rate_limit_hit SET hits = greatest(hits - 1, 0) WHERE key = $1 AND reset_at > now()';
const RESET = 'DELETE FROM rate_limit_hit WHERE key = $1';
/** Windows that have passed; a client's row comes back with its next request. */
const EXPIRE = 'DELETE FROM rate_limit_hit WHERE reset_at <= now()';

/** How often each instance removes rows of passed windows. */
const EXPIRY_INTERVAL_MS = 60_000;

interface HitRow {
  hits: number;
  reset_ms: number;
}

/**
 * express-rate-limit's `Store` on the service's own PostgreSQL pool (RATE_LIMIT_STORE=postgres): every instance on the
 * same database counts one budget per client. Our own small store rather than @acpr/rate-limit-postgresql, which pins
 * an older pg and brings a migration tool of its own; ours is a TypeORM migration (the `rate_limit_hit` table) and
 * named statements, which pg prepares once per connection and then only binds.
 *
 * Errors (the database away) reach express-rate-limit, which lets the request pass (passOnStoreError, src/http/edge.ts).
 */
export class PostgresRateLimitStore implements Store {
  /** Counts are shared between instances: express-rate-limit's double-count check must not compare store objects. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    readonly prefix = 'rl:',
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.expiry = setInterval(() => {
      this.pool.query({ name: 'rate-limit-expire', text: EXPIRE }).catch(() => {
        // The next hit or the next round retries; an unreachable database is reported by the requests themselves.
      });
    }, EXPIRY_INTERVAL_MS);
    this.expiry.unref();
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { rows } = await this.pool.query<HitRow>({
      name: 'rate-limit-hit',
      text: HIT,
      values: [this.prefix + key, this.windowMs],
    });
    const [row] = rows;
    if (!row) throw new Error('rate_limit_hit: the upsert returned no row');
    return { totalHits: row.hits, resetTime: new Date(row.reset_ms) };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { rows } = await this.pool.query<HitRow>({
      name: 'rate-limit-get',
      text: GET,
      values: [this.prefix + key],
    });
    const [row] = rows;
    return row ? { totalHits: row.hits, resetTime: new Date(row.reset_ms) } : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.pool.query({ name: 'rate-limit-decrement', text: DECREMENT, values: [this.prefix + key] });
  }

  async resetKey(key: string): Promise<void> {
    await this.pool.query({ name: 'rate-limit-reset', text: RESET, values: [this.prefix + key] });
  }

  shutdown(): void {
    clearInterval(this.expiry);
  }
}
