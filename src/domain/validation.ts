import { BadUserInputError } from './errors';
import { isValidPersonalIdentityCode } from './personal-identity-code';

export const MAX_PAGE_SIZE = 200;
export const MAX_REASON_LENGTH = 1000;

/** C0 controls except tab, line feed and carriage return, and DEL; PostgreSQL text cannot hold NUL at all. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function requireMunicipalityCodeFormat(argumentName: string, code: string): string {
  if (!/^\d{3}$/.test(code))
    throw new BadUserInputError(argumentName, 'a municipality code has three digits, e.g. 905.');
  return code;
}

export function requirePostalCode(argumentName: string, code: string): string {
  if (!/^\d{5}$/.test(code))
    throw new BadUserInputError(argumentName, 'a postal code has five digits, e.g. 65100.');
  return code;
}

export function requirePersonalIdentityCode(argumentName: string, code: string): string {
  const normalised = code.trim().toUpperCase();
  if (!isValidPersonalIdentityCode(normalised)) {
    throw new BadUserInputError(
      argumentName,
      'not a valid personal identity code (DDMMYYCNNNQ: real date, century sign + - A–F U–Y, check character).',
    );
  }
  return normalised;
}

export function requirePageSize(argumentName: string, first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(argumentName, `must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  return first;
}

/** Kela: a transfer needs a reason. Trimmed, 1 to 1,000 characters. */
export function requireReason(argumentName: string, reason: string): string {
  const trimmed = reason.trim();
  if (CONTROL_CHARACTERS.test(trimmed)) {
    throw new BadUserInputError(
      argumentName,
      'control characters other than line breaks and tabs are not allowed.',
    );
  }
  if (trimmed.length === 0) throw new BadUserInputError(argumentName, 'a reason is required.');
  if (trimmed.length > MAX_REASON_LENGTH) {
    throw new BadUserInputError(argumentName, `at most ${MAX_REASON_LENGTH} characters.`);
  }
  return trimmed;
}

/** A real calendar date written as YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
