import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1'));

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(path.resolve(process.cwd(), '.data')),
  DEMO_DATA: booleanFlag,
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54320),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).default('kelmu-graphql'),
  INCOME_SUPPORT_CONSECUTIVE_MONTHS: z.coerce.number().int().min(1).max(24).default(2),
  RESIDENCE_PERMIT_MAX_YEARS: z.coerce.number().int().min(1).max(20).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER: z.enum(['inline', 'off']).default('inline'),
});

export type AuthConfig =
  /** Production: tokens come from the identity gateway and are checked against its JWKS. */
  | { mode: 'jwks'; jwksUrl: string; issuer: string | undefined; audience: string }
  /** Development: the service signs with a local key kept in DATA_DIR and serves its JWKS itself. */
  | { mode: 'development'; keyFile: string; issuer: string; audience: string };

export interface AppConfig {
  environment: 'development' | 'production' | 'test';
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  loadDemoData: boolean;
  auth: AuthConfig;
  /** Kela's weekly run: thresholds of the eligibility rule (domain brief: keep them in configuration). */
  eligibility: { consecutiveSupportMonths: number; residencePermitMaxYears: number };
  logLevel: string;
  /** `inline`: npm start also runs the scheduled jobs; `off`: separate `npm run worker` processes do. */
  worker: 'inline' | 'off';
}

export const DEVELOPMENT_ISSUER = 'kelmu-graphql-development';

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
  const auth: AuthConfig = e.AUTH_JWKS_URL
    ? { mode: 'jwks', jwksUrl: e.AUTH_JWKS_URL, issuer: e.AUTH_ISSUER, audience: e.AUTH_AUDIENCE }
    : {
        mode: 'development',
        keyFile: path.join(e.DATA_DIR, 'development-signing-key.json'),
        issuer: e.AUTH_ISSUER ?? DEVELOPMENT_ISSUER,
        audience: e.AUTH_AUDIENCE,
      };
  return {
    environment: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    loadDemoData: auth.mode === 'development' && e.DEMO_DATA !== false,
    auth,
    eligibility: {
      consecutiveSupportMonths: e.INCOME_SUPPORT_CONSECUTIVE_MONTHS,
      residencePermitMaxYears: e.RESIDENCE_PERMIT_MAX_YEARS,
    },
    logLevel: e.LOG_LEVEL,
    worker: e.WORKER,
  };
}
