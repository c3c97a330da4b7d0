import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

/**
 * Kelmu's CSV broke Scandinavian letters in Excel. Ours opens right at once: UTF-8 with BOM, semicolons (what Excel
 * splits on in Finnish and Swedish locales), CRLF, a header row, RFC 4180 quoting, ISO 8601 dates.
 */
/** Cells Excel would run as formulas (OWASP "CSV injection"); phone numbers legitimately start with +. */
const FORMULA_START = /^[=+\-@\t\r]/;
const FORMULA_SAFE_COLUMNS = new Set(['phoneNumber']);

function excelCsv(columns: readonly string[]) {
  return stringify({
    bom: true,
    header: true,
    columns: [...columns],
    delimiter: ';',
    record_delimiter: 'windows',
    quote: '"',
    escape: '"',
    cast: {
      date: (value) => value.toISOString(),
      boolean: (value) => (value ? 'true' : 'false'),
      // A leading apostrophe makes Excel show the text instead of evaluating it.
      string: (value, context) =>
        FORMULA_START.test(value) && !FORMULA_SAFE_COLUMNS.has(String(context.column)) ? `'${value}` : value,
    },
  });
}

/** Streams database rows through the CSV writer to the response, with back-pressure: constant memory at any size. */
export function streamCsv(rows: Readable, columns: readonly string[], destination: Writable): Promise<void> {
  return pipeline(rows, excelCsv(columns), destination);
}

export const HOME_CARE_ALLOWANCE_COLUMNS = [
  'rowNumber',
  'personalIdentityCode',
  'lastName',
  'firstNames',
  'dateOfBirth',
  'street',
  'postalCode',
  'postOffice',
  'nativeLanguage',
  'citizenship',
  'allowanceStartDate',
  'childrenCount',
] as const;

export const NOTIFICATION_COLUMNS = [
  'id',
  'status',
  'municipalityCode',
  'municipality',
  'createdAt',
  'pendingDays',
  'removalDue',
  'personalIdentityCode',
  'lastName',
  'firstNames',
  'dateOfBirth',
  'nativeLanguage',
  'citizenship',
  'street',
  'postalCode',
  'postOffice',
  'phoneNumber',
  'firstResidencePermitStart',
  'euEeaCitizen',
  'additionalInfo',
] as const;
