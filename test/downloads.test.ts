import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../src/domain/enums';
import { NOTIFICATION_CRITERION_LABELS, RESIDENCE_BASIS_LABELS } from '../src/i18n/labels';
import { recipient } from './fixtures/home-care-allowance';
import {
  DownloadableNotificationDocument,
  type DownloadableNotificationFieldsFragment,
  DownloadableNotificationsDocument,
  HomeCareAllowanceListDocument,
  type HomeCareAllowanceListQuery,
  HomeCareAllowanceListsDocument,
} from './generated/graphql';
import { startTestApp, type TestApp, WEAK_ACR } from './support/app';
import { type CapturedLogs, captureLogs } from './support/log-capture';

type ListNode = NonNullable<HomeCareAllowanceListQuery['homeCareAllowanceList']>;
type CsvRecord = Record<string, string>;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Finnish by default (Kela's content is Finnish); `LIST_KEYS` and `NOTIFICATION_KEYS` name the same columns. */
const LIST_HEADER =
  'Rivinumero;Henkilötunnus;Sukunimi;Etunimet;Syntymäaika;Lähiosoite;Postinumero;Postitoimipaikka;Puhelinnumero;Äidinkieli;Kansalaisuus;Kotihoidon tuki alkaen;Lasten määrä';
const LIST_KEYS =
  'rowNumber;personalIdentityCode;lastName;firstNames;dateOfBirth;street;postalCode;postOffice;phoneNumber;nativeLanguage;citizenship;allowanceStartDate;childrenCount';
const NOTIFICATION_HEADER =
  'Ilmoituksen tunnus;Tila;Kuntanumero;Kunta;Luotu;Vireillä;Poistuu;Henkilötunnus;Sukunimi;Etunimet;Syntymäaika;Äidinkieli;Kansalaisuus;Lähiosoite;Postinumero;Postitoimipaikka;Puhelinnumero;Ensimmäinen oleskelulupa alkaen;EU/ETA-kansalainen;Ilmoitusperuste;Oleskeluperuste;Lisätiedot';
const NOTIFICATION_KEYS =
  'id;status;municipalityCode;municipality;createdAt;pendingDays;removalDue;personalIdentityCode;lastName;firstNames;dateOfBirth;nativeLanguage;citizenship;street;postalCode;postOffice;phoneNumber;firstResidencePermitStart;euEeaCitizen;criteria;residenceBasis;additionalInfo';

/** An instant as Helsinki wall-clock text, the way the CSV writes times: `2026-11-23 00:15:00`. */
function helsinkiText(iso: string): string {
  return new Date(iso).toLocaleString('sv-SE', { timeZone: 'Europe/Helsinki' });
}

const FINNISH_STATUS: Record<string, string> = { NEW: 'Uusi', IN_PROCESSING: 'Käsittelyssä' };

/** A recipient and a notification whose text needs every kind of RFC 4180 quoting. */
const AWKWARD = {
  lastName: 'Ben "Bee" Ali; Haddad',
  firstNames: 'Fatima\nZahra',
  street: 'Kauppapuistikko 1; A "2"\r\nc/o Virtanen',
  additionalInfo: 'Tulkki tarpeen; "arabia"\nSoita ensin.\r\nEi tekstiviestejä.',
};

let app: TestApp;
let vaasa: string;
/** Everything the service logs while this suite runs, at every level. */
let logs: CapturedLogs;
const base = () => app.url.replace(/\/graphql$/, '');

function download(path: string, token?: string) {
  return fetch(base() + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** The file name of an attachment; quoted or, when it is a plain token, not (RFC 6266). */
function attachmentFileName(response: Response): string | undefined {
  return /^attachment; filename=(?:"([^"]+)"|([^\s";]+))$/
    .exec(response.headers.get('content-disposition') ?? '')
    ?.slice(1)
    .find(Boolean);
}

/** Records keyed by column: the Finnish header row is checked against the keys' labels, in order. */
function parseCsv(bytes: Buffer): CsvRecord[] {
  return parse(bytes, {
    bom: true,
    delimiter: ';',
    columns: (header: string[]) => {
      const line = header.join(';');
      if (line === LIST_HEADER) return LIST_KEYS.split(';');
      if (line === NOTIFICATION_HEADER) return NOTIFICATION_KEYS.split(';');
      throw new Error(`unexpected header ${line}`);
    },
  }) as CsvRecord[];
}

async function downloadCsv(path: string, token: string) {
  const response = await download(path, token);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${bytes.toString('utf8')}`);
  return { response, bytes, records: parseCsv(bytes) };
}

async function listOf(municipalityCode: string, month: string, token = vaasa): Promise<ListNode> {
  const lists = await app.request(HomeCareAllowanceListsDocument, { municipalityCode }, token);
  const node = lists.data?.homeCareAllowanceLists.edges.find((e) => e.node.month === month)?.node;
  if (!node) throw new Error(`no list ${municipalityCode}/${month}: ${JSON.stringify(lists.errors)}`);
  const list = await app.request(HomeCareAllowanceListDocument, { id: node.id, first: 200 }, token);
  return list.data?.homeCareAllowanceList as ListNode;
}

/** What the CSV must say for a list row, from the GraphQL row. */
function listRowAsCsv(node: ListNode['rows']['edges'][number]['node']): CsvRecord {
  return {
    rowNumber: String(node.rowNumber),
    personalIdentityCode: node.personalIdentityCode ?? '',
    lastName: node.lastName ?? '',
    firstNames: node.firstNames ?? '',
    dateOfBirth: node.dateOfBirth ?? '',
    street: node.address?.street ?? '',
    postalCode: node.address?.postalCode ?? '',
    postOffice: node.address?.postOffice ?? '',
    phoneNumber: phoneAsCsv(node.phoneNumber),
    nativeLanguage: node.nativeLanguage ?? '',
    citizenship: node.citizenship ?? '',
    allowanceStartDate: node.allowanceStartDate ?? '',
    childrenCount: node.childrenCount == null ? '' : String(node.childrenCount),
  };
}

/** The fixtures' numbers as a Finnish handler dials them: text in Excel, never a formula. */
const PHONE_IN_CSV = new Map([['+358 40 1234567', '040 1234567']]);

function phoneAsCsv(phoneNumber: string | null | undefined): string {
  if (phoneNumber == null) return '';
  const expected = PHONE_IN_CSV.get(phoneNumber);
  if (expected === undefined) throw new Error(`no expected CSV form for the fixture number ${phoneNumber}`);
  return expected;
}

/** What the CSV must say for a notification, from GraphQL. */
function notificationAsCsv(n: DownloadableNotificationFieldsFragment): CsvRecord {
  const person = n.person;
  if (!person?.address) throw new Error(`notification ${n.id} without a person or address in GraphQL`);
  return {
    id: n.id,
    status: FINNISH_STATUS[n.status] as string,
    municipalityCode: n.municipality.code,
    municipality: n.municipality.nameFi,
    createdAt: helsinkiText(n.createdAt),
    pendingDays: String(n.pendingDays),
    removalDue: helsinkiText(n.removalDue),
    personalIdentityCode: person.personalIdentityCode ?? '',
    lastName: person.lastName ?? '',
    firstNames: person.firstNames ?? '',
    dateOfBirth: person.dateOfBirth ?? '',
    nativeLanguage: person.nativeLanguage ?? '',
    citizenship: person.citizenship ?? '',
    street: person.address.street,
    postalCode: person.address.postalCode,
    postOffice: person.address.postOffice,
    phoneNumber: phoneAsCsv(person.phoneNumber),
    firstResidencePermitStart: person.firstResidencePermitStart ?? '',
    euEeaCitizen: person.euEeaCitizen ? 'Kyllä' : 'Ei',
    criteria: n.criteria.map((c) => NOTIFICATION_CRITERION_LABELS[c].FI).join('; '),
    residenceBasis: n.residenceBasis ? RESIDENCE_BASIS_LABELS[n.residenceBasis].FI : '',
    additionalInfo: n.additionalInfo ?? '',
  };
}

async function graphqlNotifications(
  filter: { status: 'NEW' | 'IN_PROCESSING'; municipalityCode?: string; postalCode?: string },
  token = vaasa,
) {
  const result = await app.request(DownloadableNotificationsDocument, { filter, first: 200 }, token);
  expect(result.errors).toBeUndefined();
  return result.data?.notifications.edges.map((e) => e.node) ?? [];
}

async function downloadAuditCount(): Promise<number> {
  const [row]: { n: string }[] = await app.dataSource.query(
    "SELECT count(*) AS n FROM audit_event WHERE action LIKE 'DOWNLOAD_%'",
  );
  return Number(row?.n);
}

const now = new Date('2026-12-01T08:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const notificationIds: Record<string, string> = {};
const identityCodes: Record<string, string> = {};

beforeAll(async () => {
  logs = captureLogs();
  app = await startTestApp();
  vaasa = await app.tokens.handler(['905']);
  const report = await app.server.services.recipientImport.importLines([
    // Vaasa: Scandinavian letters, nothing that needs quoting.
    recipient({
      lastName: 'Hämäläinen',
      firstNames: 'Märta Öljä',
      street: 'Hovioikeudenpuistikko 13 Ö 5',
      postOffice: 'VAASA',
      allowanceStartDate: '2024-03-01',
      childrenCount: 2,
    }).line,
    recipient({
      lastName: 'Åström',
      firstNames: 'Åsa',
      street: 'Kyrkoesplanaden 7 Ä',
      postOffice: 'VASA',
      nativeLanguage: 'sv',
      citizenship: 'SWE',
      euEeaCitizen: true,
      firstResidencePermitStart: null,
      allowanceStartDate: '2024-06-15',
    }).line,
    recipient({
      lastName: 'Ahmadi',
      nativeLanguage: null,
      citizenship: null,
      allowanceStartDate: '2024-01-01',
    }).line,
    // Mustasaari: text that needs quoting.
    recipient({
      municipalityCode: '499',
      lastName: AWKWARD.lastName,
      firstNames: AWKWARD.firstNames,
      street: AWKWARD.street,
      postalCode: '65610',
      postOffice: 'KORSHOLM',
      allowanceStartDate: '2024-01-01',
    }).line,
    recipient({
      municipalityCode: '499',
      lastName: 'Berg',
      postalCode: '65610',
      allowanceStartDate: '2024-01-01',
    }).line,
  ]);
  expect(report.invalid).toEqual([]);
  // A list of October 2024: expired on 2026-10-31, before the clock's "now".
  await app.server.services.homeCareAllowanceGeneration.generateMonth(
    '2024-10-31',
    new Date('2024-10-31T04:00:00Z'),
  );
  await app.server.services.homeCareAllowanceGeneration.generateMonth(
    '2026-11-30',
    new Date('2026-11-30T04:00:00Z'),
  );
  app.clock.set(now);

  const given = async (key: string, fixture: Parameters<TestApp['given']['notification']>[0]) => {
    const created = await app.given.notification(fixture);
    notificationIds[key] = created.id;
    identityCodes[key] = created.personalIdentityCode;
  };
  await given('new65100a', {
    status: NotificationStatus.NEW,
    postalCode: '65100',
    createdAt: hoursAgo(3 * 24 + 5),
  });
  await given('new65100b', {
    status: NotificationStatus.NEW,
    postalCode: '65100',
    createdAt: hoursAgo(10 * 24),
  });
  await given('new65100old', {
    status: NotificationStatus.NEW,
    postalCode: '65100',
    createdAt: hoursAgo(45 * 24),
  });
  await given('new65200', {
    status: NotificationStatus.NEW,
    postalCode: '65200',
    createdAt: hoursAgo(2 * 24),
  });
  await given('awkward', {
    status: NotificationStatus.NEW,
    postalCode: '65100',
    createdAt: hoursAgo(20),
    lastName: AWKWARD.lastName,
    firstNames: AWKWARD.firstNames,
    additionalInfo: AWKWARD.additionalInfo,
  });
  await given('processing', {
    status: NotificationStatus.IN_PROCESSING,
    postalCode: '65100',
    createdAt: hoursAgo(29 * 24 + 23),
  });
  await given('processing2', {
    status: NotificationStatus.IN_PROCESSING,
    postalCode: '65200',
    createdAt: hoursAgo(5 * 24),
  });
  await given('processingExpired', {
    status: NotificationStatus.IN_PROCESSING,
    postalCode: '65100',
    createdAt: hoursAgo(31 * 24),
  });
  await given('korsholm', {
    status: NotificationStatus.NEW,
    municipalityCode: '499',
    postalCode: '65610',
    createdAt: hoursAgo(24),
  });
});

afterAll(async () => {
  await app?.close();
  logs?.restore();
});

describe('the CSV of a home care allowance list', () => {
  it('is UTF-8 with BOM, semicolons, CRLF and a header row, and keeps å, ä and ö intact', async () => {
    const list = await listOf('905', '2026-11');
    const response = await download(list.downloadPath, vaasa);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(attachmentFileName(response)).toBe(list.fileName);
    expect(list.fileName).toMatch(/^[\w.-]*905[\w.-]*2026-11[\w.-]*\.csv$/);

    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(BOM);
    for (const word of [
      'Hämäläinen',
      'Märta Öljä',
      'Hovioikeudenpuistikko 13 Ö 5',
      'Åström',
      'Kyrkoesplanaden 7 Ä',
    ]) {
      expect(bytes.includes(Buffer.from(word, 'utf8')), word).toBe(true);
    }

    const text = bytes.subarray(3).toString('utf8');
    expect(text.match(/\r?\n/g)?.every((lineBreak) => lineBreak === '\r\n')).toBe(true);
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(LIST_HEADER);
    const body = lines.slice(1, -1).map((line) => line.split(';'));
    expect(body).toHaveLength(3);
    expect(body.every((fields) => fields.length === 13)).toBe(true);
    const column = (name: string) => LIST_KEYS.split(';').indexOf(name);
    for (const fields of body) {
      expect(fields[column('dateOfBirth')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(fields[column('allowanceStartDate')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(body.map((fields) => fields[column('lastName')])).toEqual(['Ahmadi', 'Hämäläinen', 'Åström']);
    const hamalainen = body.find((fields) => fields[column('lastName')] === 'Hämäläinen') as string[];
    expect(hamalainen[column('allowanceStartDate')]).toBe('2024-03-01');
    expect(hamalainen[column('childrenCount')]).toBe('2');
  });

  it('holds exactly the rows GraphQL shows, through RFC 4180 quoting', async () => {
    const korsholm = await app.tokens.handler(['499']);
    for (const [code, token] of [
      ['499', korsholm],
      ['905', vaasa],
    ] as const) {
      const list = await listOf(code, '2026-11', token);
      const { records } = await downloadCsv(list.downloadPath, token);
      expect(records).toEqual(list.rows.edges.map((edge) => listRowAsCsv(edge.node)));
      expect(records).toHaveLength(list.rowCount);
    }
    const list = await listOf('499', '2026-11', korsholm);
    const { records } = await downloadCsv(list.downloadPath, korsholm);
    expect(records).toContainEqual(
      expect.objectContaining({
        lastName: AWKWARD.lastName,
        firstNames: AWKWARD.firstNames,
        street: AWKWARD.street,
      }),
    );
  });
});

describe('access to downloads', () => {
  it('refuses without a token or with a token that does not verify', async () => {
    const list = await listOf('905', '2026-11');
    for (const path of [
      list.downloadPath,
      '/downloads/notifications.csv?status=NEW',
      // A municipality filter does not turn a missing token into FORBIDDEN.
      '/downloads/notifications.csv?status=NEW&municipalityCode=499',
      `/downloads/notifications/${notificationIds.new65100a}.csv`,
    ]) {
      const anonymous = await download(path);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
      const forged = await download(path, `${vaasa.slice(0, -4)}AAAA`);
      expect(forged.status).toBe(401);
    }
  });

  it('answers 404 for another municipality’s list or notification, an expired list, an unknown or malformed id', async () => {
    const list = await listOf('905', '2026-11');
    const [expired]: { id: string }[] = await app.dataSource.query(
      "SELECT id FROM home_care_allowance_list WHERE municipality_code = '905' AND month = '2024-10-01'",
    );
    expect(expired).toBeDefined();
    const korsholm = await app.tokens.handler(['499']);
    const cases: [string, string][] = [
      [list.downloadPath, korsholm],
      [`/downloads/notifications/${notificationIds.new65100a}.csv`, korsholm],
      [`/downloads/home-care-allowance-lists/${expired?.id}.csv`, vaasa],
      ['/downloads/home-care-allowance-lists/0b5a3c4e-8d52-4c8e-9d2a-6f1e2b3c4d5e.csv', vaasa],
      ['/downloads/notifications/0b5a3c4e-8d52-4c8e-9d2a-6f1e2b3c4d5e.csv', vaasa],
      ['/downloads/home-care-allowance-lists/not-a-uuid.csv', vaasa],
      ['/downloads/notifications/not-a-uuid.csv', vaasa],
      [`/downloads/notifications/${notificationIds.processingExpired}.csv`, vaasa],
    ];
    for (const [path, token] of cases) {
      const response = await download(path, token);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    }
  });

  it('refuses weak authentication with 403 and sends no CSV', async () => {
    const weak = await app.tokens.handler(['905'], { acr: WEAK_ACR });
    const list = await listOf('905', '2026-11');
    for (const path of [
      list.downloadPath,
      '/downloads/notifications.csv?status=NEW&municipalityCode=905',
      `/downloads/notifications/${notificationIds.new65100a}.csv`,
    ]) {
      const response = await download(path, weak);
      expect(response.status, path).toBe(403);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(response.headers.get('content-disposition'), path).toBeNull();
      const body = await response.text();
      expect(body).not.toContain('personalIdentityCode');
      expect(JSON.parse(body)).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    }
  });

  it('refuses a token holding only the social assistance mandate', async () => {
    const social = await app.tokens.handler(['905'], { issues: ['SOCIAL_ASSISTANCE_CLIENT_DATA'] });
    const list = await listOf('905', '2026-11');
    for (const path of [list.downloadPath, '/downloads/notifications.csv?status=NEW']) {
      const response = await download(path, social);
      expect(response.status, path).toBe(403);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    }
  });
});

describe('the CSV of notifications', () => {
  it('is UTF-8 with BOM, semicolons, CRLF and a header row', async () => {
    const response = await download('/downloads/notifications.csv?status=NEW&municipalityCode=905', vaasa);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(attachmentFileName(response)).toMatch(/^[\w.-]*905[\w.-]*\.csv$/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(BOM);
    expect(bytes.subarray(3).toString('utf8').split('\r\n')[0]).toBe(NOTIFICATION_HEADER);
  });

  it('holds exactly the notifications the same filter shows in GraphQL, in the same order', async () => {
    const expectations: [
      string,
      { status: 'NEW' | 'IN_PROCESSING'; municipalityCode?: string; postalCode?: string },
      string[],
    ][] = [
      [
        'status=NEW&municipalityCode=905&postalCode=65100',
        { status: 'NEW', municipalityCode: '905', postalCode: '65100' },
        ['awkward', 'new65100a', 'new65100b', 'new65100old'],
      ],
      [
        'status=IN_PROCESSING&municipalityCode=905',
        { status: 'IN_PROCESSING', municipalityCode: '905' },
        ['processing2', 'processing'],
      ],
      ['status=NEW', { status: 'NEW' }, ['awkward', 'new65200', 'new65100a', 'new65100b', 'new65100old']],
    ];
    for (const [query, filter, keys] of expectations) {
      const nodes = await graphqlNotifications(filter);
      expect(nodes.map((n) => n.id)).toEqual(keys.map((key) => notificationIds[key]));
      const { records } = await downloadCsv(`/downloads/notifications.csv?${query}`, vaasa);
      expect(records.map((r) => r.id)).toEqual(nodes.map((n) => n.id));
      expect(records).toEqual(nodes.map(notificationAsCsv));
    }
  });

  it('spans every municipality of the mandate without a municipality condition', async () => {
    const both = await app.tokens.handler(['905', '499']);
    const nodes = await graphqlNotifications({ status: 'NEW' }, both);
    expect(nodes.map((n) => n.id)).toContain(notificationIds.korsholm);
    const { records } = await downloadCsv('/downloads/notifications.csv?status=NEW', both);
    expect(records.map((r) => r.id)).toEqual(nodes.map((n) => n.id));
  });

  it('keeps semicolons, quotes and line breaks in names and additional information', async () => {
    const { records } = await downloadCsv(`/downloads/notifications/${notificationIds.awkward}.csv`, vaasa);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      lastName: AWKWARD.lastName,
      firstNames: AWKWARD.firstNames,
      additionalInfo: AWKWARD.additionalInfo,
    });
  });

  it('keeps Excel from running text as a formula, including tab, CR and full-width starts', async () => {
    const cells = {
      additionalInfo: '=HYPERLINK("http://example.invalid","Avaa")',
      lastName: '@Lastname',
      firstNames: '\t=1+1',
    };
    const { id } = await app.given.notification({ municipalityCode: '905', ...cells });
    const { records } = await downloadCsv(`/downloads/notifications/${id}.csv`, vaasa);
    expect(records[0]).toMatchObject({
      additionalInfo: `'=HYPERLINK("http://example.invalid","Avaa")`,
      lastName: "'@Lastname",
      firstNames: "'\t=1+1",
      phoneNumber: '040 1234567',
    });
    for (const [text, expected] of [
      ['\r=1+1', "'\r=1+1"],
      [' =1+1', "' =1+1"],
      ['\uFF1D1+1', "'\uFF1D1+1"],
      ['-2+3', "'-2+3"],
      ['+A1', "'+A1"],
      ['Ahmed = Ali', 'Ahmed = Ali'],
    ]) {
      const other = await app.given.notification({ municipalityCode: '905', additionalInfo: text });
      const csv = await downloadCsv(`/downloads/notifications/${other.id}.csv`, vaasa);
      expect(csv.records[0]?.additionalInfo, JSON.stringify(text)).toBe(expected);
    }
  });

  it('writes phone numbers as dialled from Finland, and neutralises a stored number that is a formula', async () => {
    for (const [stored, expected] of [
      ['+358 40 1234567', '040 1234567'],
      ['+358401234567', '040 1234567'],
      ['+46 70 123 45 67', '00 46 70 123 45 67'],
      // Rows imported before numbers were validated at import.
      ['=HYPERLINK("http://127.0.0.1/x","click")', `'=HYPERLINK("http://127.0.0.1/x","click")`],
      ['+358 40 1234567 =1', "'+358 40 1234567 =1"],
    ]) {
      const { id } = await app.given.notification({ municipalityCode: '905', phoneNumber: stored });
      const { records } = await downloadCsv(`/downloads/notifications/${id}.csv`, vaasa);
      expect(records[0]?.phoneNumber, stored).toBe(expected);
    }
  });

  it('gives one notification as one row, with pending days and removal time as GraphQL has them', async () => {
    for (const key of ['new65100a', 'processing']) {
      const id = notificationIds[key] as string;
      const graphql = await app.request(DownloadableNotificationDocument, { id }, vaasa);
      const node = graphql.data?.notification as DownloadableNotificationFieldsFragment;
      expect(node.downloadPath).toBe(`/downloads/notifications/${id}.csv`);
      const { records, response } = await downloadCsv(node.downloadPath, vaasa);
      expect(attachmentFileName(response)).toMatch(new RegExp(`^[\\w.-]*${id}[\\w.-]*\\.csv$`));
      expect(records).toEqual([notificationAsCsv(node)]);
    }
    const byKey = async (key: string) =>
      (await downloadCsv(`/downloads/notifications/${notificationIds[key]}.csv`, vaasa))
        .records[0] as CsvRecord;
    expect(await byKey('new65100a')).toMatchObject({ pendingDays: '3', status: 'Uusi' });
    const processing = await byKey('processing');
    // Created 1 November 11:00 Helsinki time, now 1 December 10:00: 30 calendar days, its last day shown.
    expect(processing).toMatchObject({ pendingDays: '30', status: 'Käsittelyssä' });
    // Removed at 00:00 Helsinki time of pending day 31 (times are Helsinki wall-clock text, `2026-11-23 00:15:00`).
    const createdOn = Date.parse(`${(processing.createdAt as string).slice(0, 10)}T00:00:00Z`);
    const day31 = new Date(createdOn + 31 * 86_400_000).toISOString().slice(0, 10);
    expect(processing.removalDue).toBe(`${day31} 00:00:00`);
  });

  it('refuses a filter naming another real municipality, and reports bad input', async () => {
    const forbidden = await download('/downloads/notifications.csv?status=NEW&municipalityCode=499', vaasa);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });

    for (const query of [
      'status=NEW&municipalityCode=905&postalCode=651',
      'status=NEW&municipalityCode=905&postalCode=6510A',
      'status=DONE',
      'status=NEW&municipalityCode=000',
      'status=NEW&personalIdentityCode=010190-900A',
    ]) {
      const response = await download(`/downloads/notifications.csv?${query}`, vaasa);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type'), query).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    }
  });
});

describe('the audit trail of downloads', () => {
  it('records a list download with the list and the number of rows', async () => {
    const list = await listOf('905', '2026-11');
    const { records } = await downloadCsv(list.downloadPath, vaasa);
    const audit = await app.dataSource.query(
      `SELECT actor_kind, actor_id, organisation, list_id, details, occurred_at FROM audit_event
        WHERE action = 'DOWNLOAD_HOME_CARE_ALLOWANCE_LIST' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual([
      {
        actor_kind: 'PERSON',
        actor_id: 'handler-905',
        organisation: '905',
        list_id: list.id,
        details: { rows: records.length },
        occurred_at: now,
      },
    ]);
  });

  it('records a notifications download with its conditions and the number of rows', async () => {
    const { records } = await downloadCsv(
      '/downloads/notifications.csv?status=NEW&municipalityCode=905&postalCode=65100',
      vaasa,
    );
    const [audit] = await app.dataSource.query(
      `SELECT actor_id, organisation, notification_id, details FROM audit_event
        WHERE action = 'DOWNLOAD_NOTIFICATIONS' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual({
      actor_id: 'handler-905',
      organisation: '905',
      notification_id: null,
      details: {
        status: 'NEW',
        municipalityCode: '905',
        postalCode: '65100',
        byPerson: false,
        rows: records.length,
      },
    });

    const id = notificationIds.new65100b as string;
    await downloadCsv(`/downloads/notifications/${id}.csv`, vaasa);
    const [single] = await app.dataSource.query(
      `SELECT organisation, notification_id, details FROM audit_event
        WHERE action = 'DOWNLOAD_NOTIFICATIONS' ORDER BY id DESC LIMIT 1`,
    );
    expect(single).toEqual({ organisation: '905', notification_id: id, details: { rows: 1 } });
  });

  it('records a download by person without the personal identity code', async () => {
    const code = identityCodes.new65100b as string;
    const { records } = await downloadCsv(
      `/downloads/notifications.csv?status=NEW&personalIdentityCode=${encodeURIComponent(code)}`,
      vaasa,
    );
    expect(records.map((r) => r.id)).toEqual([notificationIds.new65100b]);
    const [audit] = await app.dataSource.query(
      `SELECT audit_event.*, details::text AS details_text FROM audit_event
        WHERE action = 'DOWNLOAD_NOTIFICATIONS' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.details).toMatchObject({ status: 'NEW', byPerson: true, rows: 1 });
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it('records one row per download and none for a refused one', async () => {
    const list = await listOf('905', '2026-11');
    const before = await downloadAuditCount();
    await downloadCsv(list.downloadPath, vaasa);
    await downloadCsv('/downloads/notifications.csv?status=IN_PROCESSING', vaasa);
    expect(await downloadAuditCount()).toBe(before + 2);

    const korsholm = await app.tokens.handler(['499']);
    const weak = await app.tokens.handler(['905'], { acr: WEAK_ACR });
    const refused: [string, string | undefined][] = [
      [list.downloadPath, undefined],
      [list.downloadPath, korsholm],
      [list.downloadPath, weak],
      ['/downloads/home-care-allowance-lists/not-a-uuid.csv', vaasa],
      ['/downloads/notifications.csv?status=NEW&municipalityCode=499', vaasa],
      ['/downloads/notifications.csv?status=NEW&postalCode=651', vaasa],
      [`/downloads/notifications/${notificationIds.new65100a}.csv`, korsholm],
      [`/downloads/notifications/${notificationIds.new65100a}.csv`, undefined],
    ];
    for (const [path, token] of refused) {
      const response = await download(path, token);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      await response.arrayBuffer();
    }
    expect(await downloadAuditCount()).toBe(before + 2);
  });
});

describe('download paths in GraphQL', () => {
  it('lead to the CSV of the list and of each notification', async () => {
    const lists = await app.request(HomeCareAllowanceListsDocument, {}, vaasa);
    const listNodes = lists.data?.homeCareAllowanceLists.edges.map((e) => e.node) ?? [];
    expect(listNodes).toHaveLength(1);
    for (const list of listNodes) {
      const { records } = await downloadCsv(list.downloadPath, vaasa);
      expect(records).toHaveLength(list.rowCount);
    }
    const notifications = await graphqlNotifications({ status: 'NEW', municipalityCode: '905' });
    expect(notifications.length).toBeGreaterThan(0);
    for (const notification of notifications) {
      const { records } = await downloadCsv(notification.downloadPath, vaasa);
      expect(records.map((r) => r.id)).toEqual([notification.id]);
    }
  });
});

describe('identity codes typed into download URLs', () => {
  const paths = [
    '/downloads/notifications/180280-900W.csv',
    '/downloads/home-care-allowance-lists/180280-900W.csv',
    '/downloads/notifications/180280%2D900W.csv',
    '/downloads/180280-900W',
    '/downloads/notifications.csv?municipalityCode=180280-900W',
    '/downloads/notifications.csv?postalCode=180280-900W&status=180280-900W',
  ];

  it('are refused like any unknown id or bad filter', async () => {
    for (const path of paths) {
      const response = await download(path, vaasa);
      expect([400, 404], path).toContain(response.status);
      expect(await response.text(), path).not.toContain('180280');
    }
  });

  it('are not in the request log lines: the path and the values are redacted', () => {
    const logged = logs.lines
      .map((line) => JSON.parse(line) as { req?: { url?: string } })
      .map((line) => line.req?.url ?? '');
    expect(logged).toEqual(
      expect.arrayContaining([
        '/downloads/notifications/REDACTED.csv',
        '/downloads/home-care-allowance-lists/REDACTED.csv',
        '/downloads/REDACTED',
        '/downloads/notifications.csv?municipalityCode=REDACTED',
        '/downloads/notifications.csv?postalCode=REDACTED&status=REDACTED',
      ]),
    );
  });
});

// Last in the file: it reads what every request above logged.
describe('the log of this suite', () => {
  it('holds no identity code, though the files above are full of them', () => {
    expect(logs.lines.filter((line) => line.includes('"request completed"')).length).toBeGreaterThan(40);
    expect(logs.identityCodes()).toEqual([]);
  });
});
