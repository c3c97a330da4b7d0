import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../src/config';
import { AgeSignal, ageSignal, DEFAULT_AGE_SIGNAL_THRESHOLDS } from '../src/domain/age-signal';
import {
  AgeSignalLabelsDocument,
  AgeSignalListDocument,
  type AgeSignalListQueryVariables,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

/**
 * A notification's age as a traffic light from its pending days (Finnish calendar days): GREEN 0–14, YELLOW 15–24,
 * RED 25 and over by default, so that red warns before the 30-day removal. Each case stands at a Helsinki midnight:
 * the last second of a colour's last day and the first second of the next colour's first day.
 */
const SEASONS = [
  {
    season: 'in winter time',
    now: '2026-11-20T12:00:00+02:00',
    cases: [
      { created: '2026-11-20T00:00:00+02:00', pendingDays: 0, signal: 'GREEN' },
      { created: '2026-11-06T00:00:00+02:00', pendingDays: 14, signal: 'GREEN' },
      { created: '2026-11-05T23:59:59+02:00', pendingDays: 15, signal: 'YELLOW' },
      { created: '2026-10-27T00:00:00+02:00', pendingDays: 24, signal: 'YELLOW' },
      { created: '2026-10-26T23:59:59+02:00', pendingDays: 25, signal: 'RED' },
      { created: '2026-10-01T10:00:00+03:00', pendingDays: 50, signal: 'RED' },
    ],
  },
  {
    season: 'across the change to summer time (Sunday 29 March)',
    now: '2026-04-10T12:00:00+03:00',
    cases: [
      { created: '2026-04-10T00:00:00+03:00', pendingDays: 0, signal: 'GREEN' },
      { created: '2026-03-27T00:00:00+02:00', pendingDays: 14, signal: 'GREEN' },
      { created: '2026-03-26T23:59:59+02:00', pendingDays: 15, signal: 'YELLOW' },
      { created: '2026-03-17T00:00:00+02:00', pendingDays: 24, signal: 'YELLOW' },
      { created: '2026-03-16T23:59:59+02:00', pendingDays: 25, signal: 'RED' },
    ],
  },
] as const;

const SIGNALS = ['GREEN', 'YELLOW', 'RED'] as const;

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.tokens.handler(['905', '091'], { subject: 'handler-age-signal' });
});
afterAll(async () => {
  await app?.close();
});

async function list(filter: AgeSignalListQueryVariables['filter']) {
  const response = await app.request(AgeSignalListDocument, { filter }, token);
  expect(response.errors).toBeUndefined();
  return response.data?.notifications;
}

async function csvIds(path: string): Promise<{ status: number; ids: string[] }> {
  const response = await fetch(app.url.replace(/\/graphql$/, '') + path, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status !== 200) return { status: response.status, ids: [] };
  const rows: string[][] = parse(Buffer.from(await response.arrayBuffer()), { bom: true, delimiter: ';' });
  return { status: 200, ids: rows.slice(1).map((row) => row[0] as string) };
}

describe.each(SEASONS)('age signal $season', ({ now, cases }) => {
  // NEW notifications: kept however old, so that every colour can be seen; each season in its own municipality list.
  const given: { id: string; pendingDays: number; signal: string }[] = [];
  const municipalityCode = now.startsWith('2026-11') ? '905' : '091';
  beforeAll(async () => {
    app.clock.set(new Date(now));
    for (const c of cases) {
      const notification = await app.given.notification({ municipalityCode, createdAt: new Date(c.created) });
      given.push({ id: notification.id, pendingDays: c.pendingDays, signal: c.signal });
    }
  });

  it('a notification pending 14 days is GREEN, 15 YELLOW, 24 YELLOW, 25 RED (Helsinki-day boundaries)', async () => {
    app.clock.set(new Date(now));
    const rows = (await list({ status: 'NEW', municipalityCode }))?.edges.map((e) => e.node) ?? [];
    for (const expected of given) {
      expect(rows.find((row) => row.id === expected.id)).toEqual({
        id: expected.id,
        pendingDays: expected.pendingDays,
        ageSignal: expected.signal,
      });
      const created = cases.find((c) => c.pendingDays === expected.pendingDays)?.created as string;
      expect(ageSignal(new Date(created), new Date(now), DEFAULT_AGE_SIGNAL_THRESHOLDS)).toBe(
        expected.signal,
      );
    }
  });

  it.each(SIGNALS)(
    'the ageSignal filter %s returns exactly those notifications, in every shape of the list',
    async (signal) => {
      app.clock.set(new Date(now));
      const expected = given
        .filter((g) => g.signal === signal)
        .map((g) => g.id)
        .sort();
      // One municipality; then every municipality the viewer sees (the statement's other shape); then with a postal code.
      const filters: AgeSignalListQueryVariables['filter'][] = [
        { status: 'NEW', municipalityCode, ageSignal: signal },
        { status: 'NEW', ageSignal: signal },
        { status: 'NEW', postalCode: '65100', ageSignal: signal },
      ];
      for (const filter of filters) {
        const page = await list(filter);
        const ids = page?.edges.map((e) => e.node.id) ?? [];
        expect(ids.filter((id) => given.some((g) => g.id === id)).sort()).toEqual(expected);
        expect(page?.edges.every((e) => e.node.ageSignal === signal)).toBe(true);
        expect(page?.totalCount).toBe(ids.length);
      }
      const download = await csvIds(
        `/downloads/notifications.csv?status=NEW&municipalityCode=${municipalityCode}&ageSignal=${signal}`,
      );
      expect(download.ids.sort()).toEqual(expected);
    },
  );
});

describe('age signal thresholds', () => {
  it('come from configuration: AGE_SIGNAL_YELLOW_FROM_DAYS and AGE_SIGNAL_RED_FROM_DAYS, 15 and 25 by default', () => {
    expect(loadConfig({}).ageSignal).toEqual({ yellowFromDays: 15, redFromDays: 25 });
    expect(
      loadConfig({ AGE_SIGNAL_YELLOW_FROM_DAYS: '10', AGE_SIGNAL_RED_FROM_DAYS: '20' }).ageSignal,
    ).toEqual({ yellowFromDays: 10, redFromDays: 20 });
    expect(() => loadConfig({ AGE_SIGNAL_YELLOW_FROM_DAYS: '25', AGE_SIGNAL_RED_FROM_DAYS: '25' })).toThrow(
      ConfigurationError,
    );
    expect(() => loadConfig({ AGE_SIGNAL_RED_FROM_DAYS: 'soon' })).toThrow(ConfigurationError);
  });

  it('change the answer: with yellow from 5 and red from 10 days, a notification pending 10 days is RED', async () => {
    const configured = await startTestApp({ ageSignal: { yellowFromDays: 5, redFromDays: 10 } });
    try {
      const now = new Date('2026-11-20T12:00:00+02:00');
      configured.clock.set(now);
      app.clock.set(now);
      const ten = await configured.given.notification({ createdAt: new Date('2026-11-10T00:00:00+02:00') });
      const nine = await configured.given.notification({ createdAt: new Date('2026-11-11T00:00:00+02:00') });
      const four = await configured.given.notification({ createdAt: new Date('2026-11-16T00:00:00+02:00') });
      const own = await configured.tokens.handler(['905']);
      const response = await configured.request(AgeSignalListDocument, { filter: { status: 'NEW' } }, own);
      const byId = new Map(response.data?.notifications.edges.map((e) => [e.node.id, e.node.ageSignal]));
      expect([byId.get(ten.id), byId.get(nine.id), byId.get(four.id)]).toEqual(['RED', 'YELLOW', 'GREEN']);
      const red = await configured.request(
        AgeSignalListDocument,
        { filter: { status: 'NEW', ageSignal: 'RED' } },
        own,
      );
      expect(red.data?.notifications.edges.map((e) => e.node.id)).toEqual([ten.id]);
      // The defaults call the same ages GREEN.
      expect(ageSignal(new Date('2026-11-10T00:00:00+02:00'), now, DEFAULT_AGE_SIGNAL_THRESHOLDS)).toBe(
        AgeSignal.GREEN,
      );
    } finally {
      await configured.close();
    }
  });

  it('a download refuses an unknown ageSignal with 400', async () => {
    expect((await csvIds('/downloads/notifications.csv?status=NEW&ageSignal=BLUE')).status).toBe(400);
  });
});

describe('age signal labels', () => {
  it('name the colours in Finnish, Swedish and English, GREEN to RED', async () => {
    const labels = async (language: 'FI' | 'SV' | 'EN') =>
      (await app.request(AgeSignalLabelsDocument, { language })).data?.labels.ageSignals;
    expect(await labels('FI')).toEqual([
      { value: 'GREEN', label: 'Vihreä' },
      { value: 'YELLOW', label: 'Keltainen' },
      { value: 'RED', label: 'Punainen' },
    ]);
    expect(await labels('SV')).toEqual([
      { value: 'GREEN', label: 'Grön' },
      { value: 'YELLOW', label: 'Gul' },
      { value: 'RED', label: 'Röd' },
    ]);
    expect(await labels('EN')).toEqual([
      { value: 'GREEN', label: 'Green' },
      { value: 'YELLOW', label: 'Yellow' },
      { value: 'RED', label: 'Red' },
    ]);
  });
});
