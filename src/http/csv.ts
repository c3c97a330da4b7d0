import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { phoneNumberForSpreadsheet } from '../domain/phone-number';

/**
 * Cells a spreadsheet would run as formulas (OWASP "CSV injection"): = + - @ first, also their full-width forms (Excel
 * reads them as formulas in East Asian locales) and after leading whitespace, or a tab, CR or LF first. A leading
 * apostrophe keeps them text.
 */
const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

function inert(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Phone numbers are written as a Finnish handler dials them (`040 1234567`, `00 46 70 123 45 67`): readable, kept as
 * text, and not a formula as `+358…` would be. Text that is no valid number (stored before the import checked numbers)
 * is neutralised like any other cell.
 */
const CELL_FORMATS: ReadonlyMap<string, (value: string) => string> = new Map([
  ['phoneNumber', (value: string) => inert(phoneNumberForSpreadsheet(value) ?? value)],
]);

/**
 * Kelmu's CSV broke Scandinavian letters in Excel. Ours opens right at once: UTF-8 with BOM, semicolons (what Excel
 * splits on in Finnish and Swedish locales), CRLF, a header row, RFC 4180 quoting, ISO 8601 dates.
 */
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
      string: (value, context) => (CELL_FORMATS.get(String(context.column)) ?? inert)(value),
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
