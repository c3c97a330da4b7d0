import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { type CellContext, cellsOf, headerOf, type SpreadsheetColumn } from './spreadsheet';

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
 * Kelmu's CSV broke Scandinavian letters in Excel. Ours opens right at once: UTF-8 with BOM, semicolons (what Excel
 * splits on in Finnish and Swedish locales), CRLF, a header row in the file's language, RFC 4180 quoting. Dates are
 * `2026-11-23` and times Helsinki wall-clock `2026-11-23 00:15:00` (ISO 8601 order, which Excel reads as a date in any
 * locale); phone numbers as a Finnish handler dials them (`040 1234567`: text in Excel, never a formula as `+358…`
 * would be).
 */
function excelCsv() {
  return stringify({
    bom: true,
    delimiter: ';',
    record_delimiter: 'windows',
    quote: '"',
    escape: '"',
    cast: { string: inert },
  });
}

/** Streams database rows through the CSV writer to the response, with back-pressure: constant memory at any size. */
export function streamCsv(
  rows: Readable,
  columns: readonly SpreadsheetColumn[],
  context: CellContext,
  destination: Writable,
): Promise<void> {
  return pipeline(
    rows,
    async function* (source: AsyncIterable<Record<string, unknown>>) {
      yield headerOf(columns, context.language);
      for await (const row of source) {
        yield cellsOf(row, columns, context).map((cell) => (cell == null ? cell : String(cell)));
      }
    },
    excelCsv(),
    destination,
  );
}
