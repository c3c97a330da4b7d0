import pino from 'pino';

/** Structured JSON logs. Never log personal identity codes, names or addresses: log ids and counts. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: { paths: ['req.headers.authorization', '*.personalIdentityCode', '*.person'], remove: true },
});
