import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../src/domain/enums';
import { NOTIFICATION_CRITERION_LABELS, RESIDENCE_BASIS_LABELS } from '../src/i18n/labels';
import { Language } from '../src/i18n/language';
import { recipient } from './fixtures/home-care-allowance';
import {
  HomeCareAllowanceListDocument,
  type HomeCareAllowanceListQuery,
  HomeCareAllowanceListsDocument,
  type SpreadsheetNotificationFieldsFragment,
  SpreadsheetNotificationsDocument,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

/**
 * Kela's handlers open the downloads in Excel: in their language, with Helsinki times, codes that keep their leading
 * zeros, and a workbook beside each CSV holding the same rows and leaving the same traces.
 */

type ListNode = NonNullable<HomeCareAllowanceListQuery['homeCareAllowanceList']>;
type ListRow = ListNode['rows']['edges'][number]['node'];
/** A cell as a spreadsheet holds it: its type (exceljs's ValueType) and value. */
type TypedCell = { type: 'string' | 'number' | 'date' | 'empty'; value: string | number | Date | null };

const { ValueType } = ExcelJS;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let app: TestApp;
/** A handler of Vaasa (905), Helsinki (091) and Vöyri (946). */
let handler: string;
const base = () => app.url.replace(/\/graphql$/, '');
const now = new Date('2026-12-01T08:00:00.000Z');
const ids: Record<string, string> = {};

function download(path: string, headers: Record<string, string> = {}) {
  return fetch(base() + path, { headers: { authorization: `Bearer ${handler}`, ...headers } });
}

async function file(path: string, headers: Record<string, string> = {}) {
  const response = await download(path, headers);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${bytes.toString('utf8')}`);
  return { response, bytes };
}

function fileName(response: Response): string | undefined {
  return /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1];
}

/** The CSV's header and rows as text. */
async function csv(path: string, headers: Record<string, string> = {}) {
  const { response, bytes } = await file(path, headers);
  const [header, ...rows] = parse(bytes, { bom: true, delimiter: ';' }) as string[][];
  return { response, header: header as string[], rows };
}

function typed(cell: ExcelJS.Cell): TypedCell {
  switch (cell.type) {
    case ValueType.Null:
      return { type: 'empty', value: null };
    case ValueType.String:
      return { type: 'string', value: cell.value as string };
    case ValueType.Number:
      return { type: 'number', value: cell.value as number };
    case ValueType.Date:
      return { type: 'date', value: cell.value as Date };
    default:
      throw new Error(`unexpected cell type ${cell.type} at ${cell.address}: ${JSON.stringify(cell.value)}`);
  }
}

/** The workbook read back: its one sheet's name, header and typed rows. */
async function xlsx(path: string, headers: Record<string, string> = {}) {
  const { response, bytes } = await file(path, headers);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  expect(workbook.worksheets).toHaveLength(1);
  const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
  const width = sheet.getRow(1).cellCount;
  const cells = (row: number) =>
    Array.from({ length: width }, (_, column) => typed(sheet.getRow(row).getCell(column + 1)));
  const header = cells(1).map((cell) => cell.value as string);
  const rows = Array.from({ length: sheet.rowCount - 1 }, (_, index) => cells(index + 2));
  return { response, sheetName: sheet.name, header, rows };
}

const text = (value: string | null | undefined): TypedCell =>
  value == null || value === '' ? { type: 'empty', value: null } : { type: 'string', value };
const count = (value: number | null | undefined): TypedCell =>
  value == null ? { type: 'empty', value: null } : { type: 'number', value };
/** A date as a spreadsheet's date serial means it: that day at 00:00, no time zone. */
const day = (value: string | null | undefined): TypedCell =>
  value == null ? { type: 'empty', value: null } : { type: 'date', value: new Date(`${value}T00:00:00Z`) };
/** An instant as Helsinki wall-clock text: `2026-11-23 00:15:00`. */
const helsinkiText = (iso: string) => new Date(iso).toLocaleString('sv-SE', { timeZone: 'Europe/Helsinki' });
/** An instant as the date cell of its Helsinki wall-clock time. */
const helsinkiTime = (iso: string): TypedCell => ({
  type: 'date',
  value: new Date(`${helsinkiText(iso).replace(' ', 'T')}Z`),
});

const YES_NO = {
  [Language.FI]: ['Kyllä', 'Ei'],
  [Language.SV]: ['Ja', 'Nej'],
  [Language.EN]: ['Yes', 'No'],
} as const;

/** The fixtures' number as a Finnish handler dials it. */
const DIALLED = new Map([['+358 40 1234567', '040 1234567']]);

/** What the workbook must hold for a notification, from GraphQL in the same language. */
function notificationCells(n: SpreadsheetNotificationFieldsFragment, language: Language): TypedCell[] {
  const person = n.person;
  if (!person?.address) throw new Error(`notification ${n.id} without a person in GraphQL`);
  const [yes, no] = YES_NO[language];
  return [
    text(n.id),
    text(n.statusLabel),
    text(n.municipality.code),
    text(language === Language.SV ? n.municipality.nameSv : n.municipality.nameFi),
    helsinkiTime(n.createdAt),
    count(n.pendingDays),
    helsinkiTime(n.removalDue),
    text(person.personalIdentityCode),
    text(person.lastName),
    text(person.firstNames),
    day(person.dateOfBirth),
    text(person.nativeLanguage),
    text(person.citizenship),
    text(person.address.street),
    text(person.address.postalCode),
    text(person.address.postOffice),
    text(
      person.phoneNumber == null ? null : (DIALLED.get(person.phoneNumber) ?? 'unexpected fixture number'),
    ),
    day(person.firstResidencePermitStart),
    text(person.euEeaCitizen ? yes : no),
    text(n.criteria.map((c) => NOTIFICATION_CRITERION_LABELS[c][language]).join('; ') || null),
    text(n.residenceBasis ? RESIDENCE_BASIS_LABELS[n.residenceBasis][language] : null),
    text(n.additionalInfo),
  ];
}

function listRowCells(row: ListRow): TypedCell[] {
  return [
    count(row.rowNumber),
    text(row.personalIdentityCode),
    text(row.lastName),
    text(row.firstNames),
    day(row.dateOfBirth),
    text(row.address?.street),
    text(row.address?.postalCode),
    text(row.address?.postOffice),
    text(row.phoneNumber == null ? null : (DIALLED.get(row.phoneNumber) ?? 'unexpected fixture number')),
    text(row.nativeLanguage),
    text(row.citizenship),
    day(row.allowanceStartDate),
    count(row.childrenCount),
  ];
}

/** The notifications' two times (created, removal due); every other date cell is a day. */
const NOTIFICATION_TIMES = [4, 6];

/** Typed cells as the CSV writes them: days `2026-11-23`, times `2026-11-23 00:15:00`, empty cells empty. */
function asCsvText(rows: TypedCell[][], timeColumns: number[] = []): string[][] {
  return rows.map((row) =>
    row.map((cell, column) => {
      // A string cell is never a formula; the CSV keeps such text inert with a leading apostrophe.
      if (typeof cell.value === 'string' && cell.value.startsWith('=')) return `'${cell.value}`;
      if (!(cell.value instanceof Date)) return cell.value == null ? '' : String(cell.value);
      const iso = cell.value.toISOString();
      return timeColumns.includes(column) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10);
    }),
  );
}

async function graphqlNotifications(
  filter: { status: 'NEW' | 'IN_PROCESSING'; municipalityCode?: string },
  language: Language,
) {
  const result = await app.request(SpreadsheetNotificationsDocument, { filter, language }, handler);
  expect(result.errors).toBeUndefined();
  return result.data?.notifications.edges.map((e) => e.node) ?? [];
}

async function listOf(municipalityCode: string): Promise<ListNode> {
  const lists = await app.request(HomeCareAllowanceListsDocument, { municipalityCode }, handler);
  const node = lists.data?.homeCareAllowanceLists.edges.find((e) => e.node.month === '2026-11')?.node;
  if (!node) throw new Error(`no list for ${municipalityCode}: ${JSON.stringify(lists.errors)}`);
  const list = await app.request(HomeCareAllowanceListDocument, { id: node.id, first: 200 }, handler);
  return list.data?.homeCareAllowanceList as ListNode;
}

const xlsxPathOf = (csvPath: string) => csvPath.replace(/\.csv$/, '.xlsx');

beforeAll(async () => {
  app = await startTestApp();
  handler = await app.tokens.handler(['905', '091', '946']);
  const report = await app.server.services.recipientImport.importLines([
    recipient({ lastName: 'Hämäläinen', allowanceStartDate: '2024-03-01', childrenCount: 2 }).line,
    recipient({ lastName: 'Åström', allowanceStartDate: '2024-06-15', nativeLanguage: null }).line,
    // A postal code with a leading zero: text, never 590.
    recipient({
      municipalityCode: '091',
      lastName: 'Nieminen',
      postalCode: '00590',
      postOffice: 'HELSINKI',
      allowanceStartDate: '2025-02-01',
      childrenCount: 3,
    }).line,
  ]);
  expect(report.invalid).toEqual([]);
  await app.server.services.homeCareAllowanceGeneration.generateMonth(
    '2026-11-30',
    new Date('2026-11-30T04:00:00Z'),
  );
  app.clock.set(now);

  const given = async (key: string, fixture: Parameters<TestApp['given']['notification']>[0]) => {
    ids[key] = (await app.given.notification(fixture)).id;
  };
  // Monday 23.11 at 00:15 in Finland is still Sunday in UTC.
  await given('winter', { municipalityCode: '905', createdAt: new Date('2026-11-22T22:15:00Z') });
  // Summer time: UTC+3.
  await given('summer', { municipalityCode: '905', createdAt: new Date('2026-07-01T21:30:00Z') });
  await given('processing', {
    municipalityCode: '905',
    status: NotificationStatus.IN_PROCESSING,
    createdAt: new Date('2026-11-20T10:00:00Z'),
    additionalInfo: '=HYPERLINK("http://example.invalid","Avaa")',
  });
  await given('helsinki', {
    municipalityCode: '091',
    postalCode: '00590',
    postOffice: 'HELSINKI',
    createdAt: new Date('2026-11-30T12:00:00Z'),
    phoneNumber: null,
  });
  await given('voyri', { municipalityCode: '946', postalCode: '66600', postOffice: 'VÖYRI' });
});

afterAll(async () => {
  await app?.close();
});

describe('the workbook of notifications', () => {
  it('holds the rows GraphQL shows, with typed cells: codes as text, times and dates as dates, counts as numbers', async () => {
    for (const [query, filter] of [
      ['status=NEW', { status: 'NEW' }],
      ['status=IN_PROCESSING&municipalityCode=905', { status: 'IN_PROCESSING', municipalityCode: '905' }],
    ] as const) {
      const nodes = await graphqlNotifications(filter, Language.FI);
      expect(nodes.length).toBeGreaterThan(0);
      const workbook = await xlsx(`/downloads/notifications.xlsx?${query}`);
      expect(workbook.response.headers.get('content-type')).toBe(XLSX_TYPE);
      expect(workbook.rows).toEqual(nodes.map((n) => notificationCells(n, Language.FI)));
    }
  });

  it('keeps the leading zeros of codes and shows Monday 00:15 in Finland as Monday 00:15, in winter and summer', async () => {
    const workbook = await xlsx(`/downloads/notifications/${ids.helsinki}.xlsx`);
    const [row] = workbook.rows as TypedCell[][];
    const cell = (label: string) => row?.[workbook.header.indexOf(label)];
    expect(cell('Kuntanumero')).toEqual({ type: 'string', value: '091' });
    expect(cell('Postinumero')).toEqual({ type: 'string', value: '00590' });
    expect(cell('Puhelinnumero')).toEqual({ type: 'empty', value: null });

    for (const [key, wallClock] of [
      ['winter', '2026-11-23 00:15:00'],
      ['summer', '2026-07-02 00:30:00'],
    ] as const) {
      const path = `/downloads/notifications/${ids[key]}`;
      const { rows } = await xlsx(`${path}.xlsx`);
      expect(rows[0]?.[workbook.header.indexOf('Luotu')]).toEqual({
        type: 'date',
        value: new Date(`${wallClock.replace(' ', 'T')}Z`),
      });
      const text = await csv(`${path}.csv`);
      expect(text.rows[0]?.[text.header.indexOf('Luotu')]).toBe(wallClock);
    }
  });

  it('keeps text that looks like a formula a string cell, never a formula', async () => {
    const workbook = await xlsx(`/downloads/notifications/${ids.processing}.xlsx`);
    expect(workbook.rows[0]?.[workbook.header.indexOf('Lisätiedot')]).toEqual({
      type: 'string',
      value: '=HYPERLINK("http://example.invalid","Avaa")',
    });
  });

  it('holds the same rows as the CSV', async () => {
    for (const path of [
      '/downloads/notifications.csv?status=NEW&lang=sv',
      '/downloads/notifications.csv?status=IN_PROCESSING&lang=en',
      `/downloads/notifications/${ids.winter}.csv`,
    ]) {
      const text = await csv(path);
      const workbook = await xlsx(xlsxPathOf(path.replace('.csv?', '.xlsx?')));
      expect(workbook.header, path).toEqual(text.header);
      expect(asCsvText(workbook.rows, NOTIFICATION_TIMES), path).toEqual(text.rows);
    }
  });
});

describe('the workbook of a home care allowance list', () => {
  it('holds the rows GraphQL shows, typed, in Helsinki and in Vaasa', async () => {
    for (const code of ['091', '905']) {
      const list = await listOf(code);
      const workbook = await xlsx(xlsxPathOf(list.downloadPath));
      expect(workbook.sheetName).toBe('Kotihoidon tuki');
      expect(workbook.rows).toEqual(list.rows.edges.map((edge) => listRowCells(edge.node)));
      expect(workbook.rows).toHaveLength(list.rowCount);
      expect(fileName(workbook.response)).toBe(list.fileName.replace(/\.csv$/, '.xlsx'));
      const text = await csv(list.downloadPath);
      expect(asCsvText(workbook.rows)).toEqual(text.rows);
    }
    const helsinki = await xlsx(xlsxPathOf((await listOf('091')).downloadPath));
    expect(helsinki.rows[0]?.[helsinki.header.indexOf('Postinumero')]).toEqual({
      type: 'string',
      value: '00590',
    });
  });
});

describe('downloads speak the caller’s language, Finnish by default', () => {
  const headers = {
    [Language.FI]: ['Ilmoituksen tunnus', 'Tila', 'Kuntanumero', 'Kunta', 'Luotu'],
    [Language.SV]: ['Anmälans id', 'Status', 'Kommunnummer', 'Kommun', 'Skapad'],
    [Language.EN]: ['Notification ID', 'Status', 'Municipality code', 'Municipality', 'Created'],
  };

  it('labels headers, statuses, yes/no and municipality names as GraphQL does in that language', async () => {
    for (const language of [Language.FI, Language.SV, Language.EN]) {
      const lang = language.toLowerCase();
      const nodes = await graphqlNotifications({ status: 'NEW', municipalityCode: '905' }, language);
      const workbook = await xlsx(
        `/downloads/notifications.xlsx?status=NEW&municipalityCode=905&lang=${lang}`,
      );
      expect(workbook.header.slice(0, 5)).toEqual(headers[language]);
      expect(workbook.rows).toEqual(nodes.map((n) => notificationCells(n, language)));
      expect(workbook.response.headers.get('content-language')).toBe(lang);
      const text = await csv(`/downloads/notifications.csv?status=NEW&municipalityCode=905&lang=${lang}`);
      expect(text.header.slice(0, 5)).toEqual(headers[language]);
      expect(text.rows.map((row) => row[1])).toEqual(nodes.map((n) => n.statusLabel));
    }
    const swedish = await xlsx('/downloads/notifications.xlsx?status=NEW&municipalityCode=905&lang=sv');
    expect(swedish.sheetName).toBe('Anmälningar');
    expect(new Set(swedish.rows.map((row) => row[3]?.value))).toEqual(new Set(['Vasa']));
    expect(new Set(swedish.rows.map((row) => row[1]?.value))).toEqual(new Set(['Ny']));
    expect(new Set(swedish.rows.map((row) => row[18]?.value))).toEqual(new Set(['Nej']));
  });

  it('follows Accept-Language without ?lang=, and ?lang= before it', async () => {
    const path = '/downloads/notifications.csv?status=NEW&municipalityCode=905';
    for (const [acceptLanguage, language] of [
      ['sv-FI,sv;q=0.9,en;q=0.5', Language.SV],
      ['en-GB,en;q=0.9', Language.EN],
      ['fi-FI', Language.FI],
      // Nothing of ours, or anything: Finnish.
      ['de-DE,de;q=0.9', Language.FI],
      ['*', Language.FI],
    ] as const) {
      const { header } = await csv(path, { 'accept-language': acceptLanguage });
      expect(header.slice(0, 5), acceptLanguage).toEqual(headers[language]);
    }
    const { header } = await csv(`${path}&lang=en`, { 'accept-language': 'sv' });
    expect(header.slice(0, 5)).toEqual(headers[Language.EN]);
    const { header: finnish } = await csv(path);
    expect(finnish.slice(0, 5)).toEqual(headers[Language.FI]);
  });

  it('names files with the municipality’s name in that language: Vöyri, Vörå in Swedish', async () => {
    const path = '/downloads/notifications.xlsx?status=NEW&municipalityCode=946';
    expect(fileName((await file(path)).response)).toBe(
      'immigrant-notifications_946-voyri_new_2026-12-01.xlsx',
    );
    expect(fileName((await file(`${path}&lang=sv`)).response)).toBe(
      'immigrant-notifications_946-vora_new_2026-12-01.xlsx',
    );
    expect(fileName((await file(`${path}&lang=en`)).response)).toBe(
      'immigrant-notifications_946-voyri_new_2026-12-01.xlsx',
    );
    const list = await listOf('905');
    expect(fileName((await file(`${list.downloadPath}?lang=sv`)).response)).toBe(
      'home-care-allowance_905-vasa_2026-11.csv',
    );
    expect(fileName((await file(`${xlsxPathOf(list.downloadPath)}?lang=fi`)).response)).toBe(
      'home-care-allowance_905-vaasa_2026-11.xlsx',
    );
    expect(fileName((await file(`/downloads/notifications/${ids.voyri}.xlsx?lang=sv`)).response)).toBe(
      `immigrant-notification_${ids.voyri}.xlsx`,
    );
  });

  it('answers a language it does not have with BAD_USER_INPUT and records nothing', async () => {
    const auditCount = async () =>
      ((await app.dataSource.query('SELECT count(*)::int AS n FROM audit_event')) as { n: number }[])[0]?.n;
    const before = await auditCount();
    const list = await listOf('905');
    for (const path of [
      '/downloads/notifications.csv?status=NEW&lang=de',
      '/downloads/notifications.xlsx?status=NEW&lang=',
      '/downloads/notifications.xlsx?status=NEW&lang=fi&lang=sv',
      `/downloads/notifications/${ids.winter}.xlsx?lang=suomi`,
      `${xlsxPathOf(list.downloadPath)}?lang=fi-FI`,
    ]) {
      const response = await download(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-disposition'), path).toBeNull();
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    }
    expect(await auditCount()).toBe(before);
  });
});

describe('a workbook leaves the same traces as its CSV', () => {
  /** The audit rows and access log entries one download writes, without their ids and chain fields. */
  async function tracesOf(path: string) {
    const accessLog = app.server.services.accessLog;
    await accessLog.flush();
    const [mark]: { seq: number; audit: number }[] = await app.dataSource.query(
      `SELECT (SELECT coalesce(max(chain_seq), 0) FROM access_log)::int AS seq,
              (SELECT coalesce(max(id), 0) FROM audit_event)::int AS audit`,
    );
    await file(path);
    await accessLog.flush();
    const audit = await app.dataSource.query(
      `SELECT action, actor_kind, actor_id, organisation, notification_id, list_id, details, occurred_at
         FROM audit_event WHERE id > $1 ORDER BY id`,
      [mark?.audit],
    );
    const entries = await app.dataSource.query(
      `SELECT actor_kind, actor_id, organisation, data_content, purpose, operation,
              notification_ids::text[] AS notification_ids, list_ids::text[] AS list_ids
         FROM access_log WHERE chain_seq > $1 ORDER BY chain_seq`,
      [mark?.seq],
    );
    return { audit, entries };
  }

  it('one audit row and one access log entry per download, equal for .csv and .xlsx', async () => {
    const list = await listOf('905');
    for (const path of [
      list.downloadPath,
      '/downloads/notifications.csv?status=NEW',
      `/downloads/notifications/${ids.winter}.csv`,
    ]) {
      const fromCsv = await tracesOf(path);
      const fromXlsx = await tracesOf(path.replace('.csv', '.xlsx'));
      expect(fromCsv.audit.length, path).toBeGreaterThan(0);
      expect(fromCsv.entries.length, path).toBeGreaterThan(0);
      expect(fromXlsx, path).toEqual(fromCsv);
    }
  });
});
