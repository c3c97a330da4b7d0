import pino from 'pino';
import { logger } from '../../src/logger';

/** Identity codes (DDMMYY, century sign, individual number, check character), as a grep of the log would find them. */
export const IDENTITY_CODE = /\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]/i;
/** UUIDs (request and row ids) hold look-alikes: `e2154276-1750-…` has six digits, a dash and four digits. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Hex digests (the access log's checkpoint MACs) hold look-alikes too: `605272d1553` reads as a code in any case. */
const DIGEST = /\b[0-9a-f]{64}\b/gi;

export interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string; stack?: string };
}

export interface CapturedLogs {
  /** Every line written, at every level, as the service's destination would have received it. */
  readonly lines: string[];
  /** The lines that hold something looking like an identity code. */
  identityCodes(): string[];
  /** The parsed lines at error level or above. */
  errors(): LogLine[];
  restore(): void;
}

/**
 * Sends the service's log (the shared pino logger and every child it makes, the request lines included) to
 * memory at the most verbose level, in place of its destination, until restored.
 */
export function captureLogs(): CapturedLogs {
  const target = logger as unknown as Record<symbol, unknown>;
  const stream = target[pino.symbols.streamSym];
  const level = logger.level;
  const lines: string[] = [];
  target[pino.symbols.streamSym] = {
    write(line: string) {
      lines.push(line);
    },
  };
  logger.level = 'trace';
  return {
    lines,
    identityCodes: () =>
      lines.filter((line) => IDENTITY_CODE.test(line.replace(UUID, 'UUID').replace(DIGEST, 'DIGEST'))),
    errors: () => lines.map((line) => JSON.parse(line) as LogLine).filter((line) => line.level >= 50),
    restore() {
      target[pino.symbols.streamSym] = stream;
      logger.level = level;
    },
  };
}
