import path from 'node:path';
import { z } from 'zod';
import type { AgeSignalThresholds } from './domain/age-signal';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1'));

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().trim().min(1).optional(),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_OWNER_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(path.resolve(process.cwd(), '.data')),
  DEMO_DATA: booleanFlag,
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54320),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(604_800).default(43_200),
  INCOME_SUPPORT_CONSECUTIVE_MONTHS: z.coerce.number().int().min(1).max(24).default(2),
  RESIDENCE_PERMIT_MAX_YEARS: z.coerce.number().int().min(1).max(20).default(3),
  AGE_SIGNAL_YELLOW_FROM_DAYS: z.coerce.number().int().min(1).max(365).default(15),
  AGE_SIGNAL_RED_FROM_DAYS: z.coerce.number().int().min(1).max(365).default(25),
  ACCESS_LOG_RETENTION_YEARS: z.coerce.number().int().min(1).max(100).default(5),
  ACCESS_LOG_KEY: z
    .string()
    .optional()
    .refine((value) => value === undefined || accessLogKeyBytes(value) !== undefined, {
      message: 'at least 32 random bytes, hex or base64 (e.g. `openssl rand -hex 32`)',
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER: z.enum(['inline', 'off']).default('inline'),
  GRAPHQL_INTROSPECTION: booleanFlag,
  PLAYGROUND: booleanFlag,
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
    .refine((origins) => origins.every(isOrigin), {
      message:
        'a comma-separated list of origins such as https://app.example.fi (scheme, host, optional port)',
    }),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_STORE: z.enum(['memory', 'postgres']).default('memory'),
  REQUEST_BODY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(b|kb|mb)?$/i, 'a size such as 100kb or 1mb')
    .default('1mb'),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  DB_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10000),
  REQUIRE_ORGANISATION_AGREEMENT: booleanFlag,
  ORGANISATION_AGREEMENT_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
});

/** ACCESS_LOG_KEY's bytes: hex, else base64; undefined when neither gives at least 32 bytes. */
export function accessLogKeyBytes(value: string): Buffer | undefined {
  const text = value.trim();
  const bytes = /^([0-9a-f]{2})+$/i.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(text)
      ? Buffer.from(text, 'base64')
      : undefined;
  return bytes && bytes.length >= 32 ? bytes : undefined;
}

/** `https://app.example.fi` or `http://localhost:3000`: exactly what browsers send in the Origin header. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Every environment variable the service reads at start-up (the README's configuration table lists each). */
export const CONFIGURATION_VARIABLES = Object.keys(environmentSchema.shape);

export type AuthConfig =
  /** Production: tokens come from the identity gateway and are checked against its JWKS. */
  (
    | { mode: 'jwks'; jwksUrl: string; issuer: string; audience: string }
    /** Development: the service signs with a local key kept in DATA_DIR and serves its JWKS itself. */
    | { mode: 'development'; keyFile: string; issuer: string; audience: string }
  ) & {
    /** Longest accepted `exp - iat` of a token, in seconds (AUTH_MAX_TOKEN_LIFETIME_SECONDS). */
    maxTokenLifetimeSeconds: number;
  };

export interface AppConfig {
  environment: 'development' | 'production' | 'test';
  port: number;
  /** The listening address: HOST, else loopback in development mode (nothing on the network) and all addresses otherwise. */
  host: string;
  databaseUrl: string | undefined;
  /** The schema owner's connection, for migrations and the access log's set-up; DATABASE_URL is the application's. */
  databaseOwnerUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  loadDemoData: boolean;
  auth: AuthConfig;
  /** Kela's weekly run: thresholds of the eligibility rule (domain brief: keep them in configuration). */
  eligibility: { consecutiveSupportMonths: number; residencePermitMaxYears: number };
  /** Pending days from which a notification's ageSignal is YELLOW, and RED (yellow < red). */
  ageSignal: AgeSignalThresholds;
  /** Years the access log keeps its entries before the daily purge removes them. */
  accessLogRetentionYears: number;
  /**
   * ACCESS_LOG_KEY: the access log's chain MAC and the person keys derive from it (src/db/access-log-key.ts).
   * Required in production; development and tests keep a generated one in DATA_DIR.
   */
  accessLogKey: Buffer | undefined;
  logLevel: string;
  /** `inline`: npm start also runs the scheduled jobs; `off`: separate `npm run worker` processes do. */
  worker: 'inline' | 'off';
  /** The public edge (README, Limits). */
  http: {
    /** `__schema` and `__type`: on in development mode, off otherwise unless GRAPHQL_INTROSPECTION=true. */
    introspection: boolean;
    /** GraphiQL at GET /graphql for browsers: on in development mode, off otherwise unless PLAYGROUND=true. */
    playground: boolean;
    /** Origins allowed to call the API from a browser; none by default. */
    corsOrigins: string[];
    /** Requests per minute per client (token subject or client id, else IP address); 0 turns the limit off. */
    rateLimitPerMinute: number;
    /** Where the rate limit counts: this process's memory, or PostgreSQL shared by every instance. */
    rateLimitStore: 'memory' | 'postgres';
    /** Largest request body, e.g. `1mb`. */
    bodyLimit: string;
    /** Reverse proxies in front of the service whose X-Forwarded-For is believed (for the per-IP limit). */
    trustProxy: number;
  };
  /** The API's own connection pool (the scheduled jobs use another, without the statement timeout). */
  database: { poolSize: number; connectionTimeoutMs: number; statementTimeoutMs: number };
  /** Longest time from SIGTERM/SIGINT to exit (README, Shutdown). */
  shutdownTimeoutMs: number;
  /**
   * Persons' mandates open a municipality's data only while its organisation's agreement with Kela is in force
   * (REQUIRE_ORGANISATION_AGREEMENT, default true), checked against agreements read again every `refreshSeconds`.
   */
  organisationAgreements: { required: boolean; refreshSeconds: number };
}

export const DEVELOPMENT_ISSUER = 'kelmu-graphql-development';
export const DEVELOPMENT_AUDIENCE = 'kelmu-graphql';

export class ConfigurationError extends Error {}

/** Reads the configuration from environment variables; fails fast with a readable message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, { serving = true } = {}): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  // Commands that verify no tokens (import, purge) may run in production without the gateway's JWKS.
  if (serving && e.NODE_ENV === 'production' && !e.AUTH_JWKS_URL) {
    throw new ConfigurationError(
      'AUTH_JWKS_URL is required when NODE_ENV=production: the service will not sign its own tokens in production.',
    );
  }
  // Fail closed: a gateway's tokens are trusted only for the issuer and audience named explicitly, never by default
  // (without AUTH_ISSUER any issuer signed by the gateway's key would be accepted).
  if (serving && e.AUTH_JWKS_URL) {
    const missing = (['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).filter((name) => !e[name]);
    if (missing.length > 0) {
      throw new ConfigurationError(
        `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required with AUTH_JWKS_URL: tokens are accepted only from the named issuer for the named audience.`,
      );
    }
  }
  if (e.AGE_SIGNAL_YELLOW_FROM_DAYS >= e.AGE_SIGNAL_RED_FROM_DAYS) {
    throw new ConfigurationError(
      `Invalid configuration: AGE_SIGNAL_YELLOW_FROM_DAYS (${e.AGE_SIGNAL_YELLOW_FROM_DAYS}) must be less than AGE_SIGNAL_RED_FROM_DAYS (${e.AGE_SIGNAL_RED_FROM_DAYS}).`,
    );
  }
  const maxTokenLifetimeSeconds = e.AUTH_MAX_TOKEN_LIFETIME_SECONDS;
  const auth: AuthConfig = e.AUTH_JWKS_URL
    ? {
        mode: 'jwks',
        jwksUrl: e.AUTH_JWKS_URL,
        issuer: e.AUTH_ISSUER ?? '',
        audience: e.AUTH_AUDIENCE ?? '',
        maxTokenLifetimeSeconds,
      }
    : {
        mode: 'development',
        keyFile: path.join(e.DATA_DIR, 'development-signing-key.json'),
        issuer: e.AUTH_ISSUER ?? DEVELOPMENT_ISSUER,
        audience: e.AUTH_AUDIENCE ?? DEVELOPMENT_AUDIENCE,
        maxTokenLifetimeSeconds,
      };
  return {
    environment: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST ?? (auth.mode === 'development' ? '127.0.0.1' : '0.0.0.0'),
    databaseUrl: e.DATABASE_URL,
    databaseOwnerUrl: e.DATABASE_OWNER_URL,
    dataDir: e.DATA_DIR,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    loadDemoData: auth.mode === 'development' && e.DEMO_DATA !== false,
    auth,
    eligibility: {
      consecutiveSupportMonths: e.INCOME_SUPPORT_CONSECUTIVE_MONTHS,
      residencePermitMaxYears: e.RESIDENCE_PERMIT_MAX_YEARS,
    },
    ageSignal: { yellowFromDays: e.AGE_SIGNAL_YELLOW_FROM_DAYS, redFromDays: e.AGE_SIGNAL_RED_FROM_DAYS },
    accessLogRetentionYears: e.ACCESS_LOG_RETENTION_YEARS,
    accessLogKey: e.ACCESS_LOG_KEY === undefined ? undefined : accessLogKeyBytes(e.ACCESS_LOG_KEY),
    logLevel: e.LOG_LEVEL,
    worker: e.WORKER,
    http: {
      introspection: e.GRAPHQL_INTROSPECTION ?? auth.mode === 'development',
      playground: e.PLAYGROUND ?? auth.mode === 'development',
      corsOrigins: e.CORS_ORIGINS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      rateLimitStore: e.RATE_LIMIT_STORE,
      bodyLimit: e.REQUEST_BODY_LIMIT,
      trustProxy: e.TRUST_PROXY,
    },
    database: {
      poolSize: e.DB_POOL_SIZE,
      connectionTimeoutMs: e.DB_CONNECTION_TIMEOUT_MS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    organisationAgreements: {
      required: e.REQUIRE_ORGANISATION_AGREEMENT ?? true,
      refreshSeconds: e.ORGANISATION_AGREEMENT_REFRESH_SECONDS,
    },
  };
}

/** What `npm start` warns about at start-up: settings that are valid but weaken a safeguard. */
export function configurationWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  if (!config.organisationAgreements.required && config.auth.mode === 'jwks') {
    warnings.push(
      "REQUIRE_ORGANISATION_AGREEMENT is false: persons' mandates open municipalities' data without their organisation's agreement with Kela",
    );
  }
  if (config.http.playground && !config.http.introspection) {
    warnings.push(
      'PLAYGROUND is on but GRAPHQL_INTROSPECTION is off: GraphiQL runs operations but has no schema for completion and docs',
    );
  }
  return warnings;
}
