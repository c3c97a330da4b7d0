import type { Readable, Writable } from 'node:stream';
// exceljs is CommonJS without named ESM exports: its default export (vitest loads it as ESM).
import ExcelJS from 'exceljs';
import { helsinkiWallClock } from '../domain/helsinki-time';
import { phoneNumberForSpreadsheet } from '../domain/phone-number';
import { DOWNLOAD_COLUMN_LABELS, type DownloadColumn, YES_NO } from '../i18n/download-labels';
import {
  NOTIFICATION_CRITERION_LABELS,
  NOTIFICATION_STATUS_LABELS,
  RESIDENCE_BASIS_LABELS,
  SOCIAL_CARE_NOTICE_KIND_LABELS,
} from '../i18n/labels';
import type { Language } from '../i18n/language';

/**
 * What a column holds, which decides its cell: text; a code that must stay text (identity code, municipality code,
 * postal code: `091` is not 91); a count; a date; an instant shown in Helsinki time; a status or a social-care notice's
 * kind in words; a yes/no; a phone number; the municipality's name in the file's language; the weekly run's criteria
 * (a list) and residence basis, by their labels in the file's language.
 */
type CellKind =
  | 'text'
  | 'code'
  | 'count'
  | 'date'
  | 'time'
  | 'status'
  | 'socialCareNoticeKind'
  | 'yesNo'
  | 'phone'
  | 'municipality'
  | 'criteria'
  | 'residenceBasis';

export interface SpreadsheetColumn {
  key: DownloadColumn;
  kind: CellKind;
  /** Excel column width in characters. */
  width: number;
}

const column = (key: DownloadColumn, kind: CellKind, width = 14): SpreadsheetColumn => ({ key, kind, width });

export const HOME_CARE_ALLOWANCE_COLUMNS: readonly SpreadsheetColumn[] = [
  column('rowNumber', 'count', 8),
  column('personalIdentityCode', 'code'),
  column('lastName', 'text', 20),
  column('firstNames', 'text', 20),
  column('dateOfBirth', 'date', 12),
  column('street', 'text', 28),
  column('postalCode', 'code', 10),
  column('postOffice', 'text'),
  column('phoneNumber', 'phone', 18),
  column('nativeLanguage', 'code', 10),
  column('citizenship', 'code', 10),
  column('allowanceStartDate', 'date', 12),
  column('childrenCount', 'count', 8),
];

export const NOTIFICATION_COLUMNS: readonly SpreadsheetColumn[] = [
  column('id', 'code', 38),
  column('status', 'status', 16),
  column('municipalityCode', 'code', 8),
  column('municipality', 'municipality'),
  column('createdAt', 'time', 20),
  column('pendingDays', 'count', 8),
  column('removalDue', 'time', 20),
  column('personalIdentityCode', 'code'),
  column('lastName', 'text', 20),
  column('firstNames', 'text', 20),
  column('dateOfBirth', 'date', 12),
  column('nativeLanguage', 'code', 10),
  column('citizenship', 'code', 10),
  column('street', 'text', 28),
  column('postalCode', 'code', 10),
  column('postOffice', 'text'),
  column('phoneNumber', 'phone', 18),
  column('firstResidencePermitStart', 'date', 12),
  column('euEeaCitizen', 'yesNo', 8),
  column('criteria', 'criteria', 40),
  column('residenceBasis', 'residenceBasis', 28),
  column('additionalInfo', 'text', 40),
];

/** Recipient and municipality codes stay text (`091`, `AX`), times are Helsinki's, kinds in the file's language. */
export const SOCIAL_CARE_NOTICE_COLUMNS: readonly SpreadsheetColumn[] = [
  column('noticeId', 'code', 38),
  column('socialCareNoticeKind', 'socialCareNoticeKind', 36),
  column('municipalityCode', 'code', 8),
  column('municipality', 'municipality'),
  column('recipient', 'code', 10),
  column('receivedAt', 'time', 20),
  column('decisionOn', 'date', 12),
  column('visibleFrom', 'time', 20),
  column('supportMonths', 'count', 8),
  column('personalIdentityCode', 'code'),
  column('lastName', 'text', 20),
  column('firstNames', 'text', 20),
  column('dateOfBirth', 'date', 12),
  column('nativeLanguage', 'code', 10),
  column('citizenship', 'code', 10),
  column('street', 'text', 28),
  column('postalCode', 'code', 10),
  column('postOffice', 'text'),
  column('phoneNumber', 'phone', 18),
  column('additionalInfo', 'text', 40),
];

/** A date or a Helsinki wall-clock time, held in a Date's UTC fields: what a spreadsheet's date serial means. */
export class LocalDateTime {
  constructor(
    readonly value: Date,
    readonly withTime: boolean,
  ) {}

  /** `2026-11-23` or `2026-11-23 00:15:00`: ISO 8601 order, which Excel reads as a date in every locale. */
  toString(): string {
    const iso = this.value.toISOString();
    return this.withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10);
  }
}

export type Cell = string | number | LocalDateTime | null;

/** What the cells say besides the rows themselves: the file's language and its municipality names. */
export interface CellContext {
  language: Language;
  municipalityName(code: string): string | undefined;
}

function cellOf(kind: CellKind, value: unknown, row: Record<string, unknown>, context: CellContext): Cell {
  if (value == null) return null;
  switch (kind) {
    case 'count':
      return Number(value);
    case 'date': {
      // PostgreSQL dates arrive as their text (src/db/data-source.ts): no time zone to shift them.
      const [year, month, day] = String(value).split('-').map(Number);
      return new LocalDateTime(new Date(Date.UTC(year as number, (month as number) - 1, day)), false);
    }
    case 'time': {
      const { date, time } = helsinkiWallClock(value as Date);
      return new LocalDateTime(new Date(`${date}T${time}Z`), true);
    }
    case 'status': {
      const labels = NOTIFICATION_STATUS_LABELS[value as keyof typeof NOTIFICATION_STATUS_LABELS];
      return labels ? labels[context.language] : String(value);
    }
    case 'socialCareNoticeKind': {
      const labels = SOCIAL_CARE_NOTICE_KIND_LABELS[value as keyof typeof SOCIAL_CARE_NOTICE_KIND_LABELS];
      return labels ? labels[context.language] : String(value);
    }
    case 'yesNo':
      return YES_NO[value ? 'yes' : 'no'][context.language];
    case 'phone':
      // As a Finnish handler dials it (`040 1234567`); text that is no valid number (stored before the import
      // checked numbers) as it is.
      return phoneNumberForSpreadsheet(String(value)) ?? String(value);
    case 'municipality':
      return context.municipalityName(String(row.municipalityCode)) ?? String(value);
    case 'criteria': {
      // Empty when Kela's direct delivery did not say: an empty cell, as for any value not given.
      const criteria = value as string[];
      if (criteria.length === 0) return null;
      return criteria
        .map(
          (c) =>
            NOTIFICATION_CRITERION_LABELS[c as keyof typeof NOTIFICATION_CRITERION_LABELS]?.[
              context.language
            ] ?? c,
        )
        .join('; ');
    }
    case 'residenceBasis':
      return (
        RESIDENCE_BASIS_LABELS[value as keyof typeof RESIDENCE_BASIS_LABELS]?.[context.language] ??
        String(value)
      );
    default:
      return String(value);
  }
}

/** One database row as the cells of the columns, in order. */
export function cellsOf(
  row: Record<string, unknown>,
  columns: readonly SpreadsheetColumn[],
  context: CellContext,
): Cell[] {
  return columns.map(({ key, kind }) => cellOf(kind, row[key], row, context));
}

export function headerOf(columns: readonly SpreadsheetColumn[], language: Language): string[] {
  return columns.map(({ key }) => DOWNLOAD_COLUMN_LABELS[key][language]);
}

/** Excel number formats: ISO dates read the same in Finnish, Swedish and English Excel; codes are text (`@`). */
const NUMBER_FORMATS: Partial<Record<CellKind, string>> = {
  date: 'yyyy-mm-dd',
  time: 'yyyy-mm-dd hh:mm:ss',
  code: '@',
  phone: '@',
};

/** Resolves when the response takes more data; rejects when the client has gone away (no 'drain' would ever come). */
function drained(destination: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      destination.off('drain', settle);
      destination.off('close', settle);
      if (destination.destroyed) reject(new Error('the client closed the download'));
      else resolve();
    };
    if (destination.destroyed) return settle();
    destination.on('drain', settle);
    destination.on('close', settle);
  });
}

/**
 * Streams database rows into an Excel workbook written straight to the response (exceljs's streaming writer: rows are
 * committed as they come, so memory stays flat). Cells are typed: text as strings (an xlsx string cell is never run as
 * a formula), counts as numbers, dates and times as date cells in Helsinki time.
 */
export async function streamXlsx(
  rows: Readable,
  columns: readonly SpreadsheetColumn[],
  context: CellContext & { sheetName: string },
  destination: Writable,
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: destination,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(context.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  const header = headerOf(columns, context.language);
  sheet.columns = columns.map(({ key, kind, width }, index) => ({
    key,
    header: header[index],
    // Wide enough for the header in the caller's language too ("Under behandling", "Ensimmäinen oleskelulupa alkaen").
    width: Math.max(width, (header[index]?.length ?? 0) + 2),
    ...(NUMBER_FORMATS[kind] ? { style: { numFmt: NUMBER_FORMATS[kind] } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  for await (const row of rows) {
    const cells = cellsOf(row, columns, context).map((cell) =>
      cell instanceof LocalDateTime ? cell.value : cell,
    );
    sheet.addRow(cells).commit();
    // The zip is written to the response as rows arrive; wait while the client is slower than the database.
    if (destination.writableNeedDrain || destination.destroyed) await drained(destination);
  }
  sheet.commit();
  // exceljs waits for the response's 'finish', which never comes once the client has gone away.
  let closed: (() => void) | undefined;
  try {
    await Promise.race([
      workbook.commit(),
      new Promise<never>((_, reject) => {
        closed = () => {
          if (!destination.writableFinished) reject(new Error('the client closed the download'));
        };
        destination.once('close', closed);
        if (destination.closed) closed();
      }),
    ]);
  } finally {
    if (closed) destination.off('close', closed);
  }
}
