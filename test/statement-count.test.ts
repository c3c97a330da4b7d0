import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationsDocument, TransferToMunicipalityDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

const HOUR = 3_600_000;
const MAX_STATEMENTS = 6;

let app: TestApp;
let vaasa: string;

beforeAll(async () => {
  app = await startTestApp();
  vaasa = await app.tokens.handler(['905']);
  const both = await app.tokens.handler(['905', '499']);
  const now = app.clock.now().getTime();

  // 50 notifications in Vaasa. The 12 newest arrive by transfer: 8 from Korsholm once, 4 from Vaasa to
  // Korsholm and back (two transfers each), so every page size below includes rows with transfers.
  const viaKorsholm = [];
  for (let i = 0; i < 8; i += 1) {
    viaKorsholm.push(
      await app.given.notification({ municipalityCode: '499', createdAt: new Date(now - (i + 1) * HOUR) }),
    );
  }
  const roundTrip = [];
  for (let i = 0; i < 4; i += 1) {
    roundTrip.push(
      await app.given.notification({ municipalityCode: '905', createdAt: new Date(now - (i + 9) * HOUR) }),
    );
  }
  for (let i = 0; i < 38; i += 1) {
    await app.given.notification({ municipalityCode: '905', createdAt: new Date(now - (i + 13) * HOUR) });
  }
  const transfer = async (id: string, municipalityCode: string) => {
    const response = await app.request(
      TransferToMunicipalityDocument,
      { id, municipalityCode, reason: 'Väärä kunta' },
      both,
    );
    expect(response.data?.transferToMunicipality?.__typename).toBe('TransferReceipt');
  };
  for (const { id } of viaKorsholm) await transfer(id, '905');
  for (const { id } of roundTrip) {
    await transfer(id, '499');
    await transfer(id, '905');
  }
});
afterAll(async () => {
  await app?.close();
});

/** Runs the full list query and returns the response and how many SQL statements the service ran for it. */
async function measuredList(first: number) {
  const before = app.statements.count;
  const response = await app.request(NotificationsDocument, { filter: { status: 'NEW' }, first }, vaasa);
  const statements = app.statements.count - before;
  expect(response.errors).toBeUndefined();
  return { response, statements };
}

describe('the list query asking every field', () => {
  it('runs as many SQL statements for 50 rows as for 5, and only a few', async () => {
    const five = await measuredList(5);
    const fifty = await measuredList(50);

    const fiveEdges = five.response.data?.notifications.edges ?? [];
    const fiftyEdges = fifty.response.data?.notifications.edges ?? [];
    expect(fiveEdges).toHaveLength(5);
    expect(fiftyEdges).toHaveLength(50);
    expect(fifty.response.data?.notifications.totalCount).toBe(50);

    // Every nested field was actually resolved: persons, municipalities and transfers with their names.
    for (const { node } of fiftyEdges) {
      expect(node.person?.personalIdentityCode).toMatch(/^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$/);
      expect(node.municipality).toEqual({ code: '905', nameFi: 'Vaasa', nameSv: 'Vasa' });
    }
    const transferCounts = fiftyEdges.map(({ node }) => node.transfers.length);
    expect(transferCounts.filter((n) => n === 1)).toHaveLength(8);
    expect(transferCounts.filter((n) => n === 2)).toHaveLength(4);
    expect(transferCounts.filter((n) => n === 0)).toHaveLength(38);
    expect(fiftyEdges[0]?.node.transfers).toEqual([
      expect.objectContaining({
        fromMunicipalityCode: '499',
        toMunicipalityCode: '905',
        fromMunicipality: { nameFi: 'Mustasaari' },
        toMunicipality: { nameFi: 'Vaasa' },
      }),
    ]);
    expect(fiveEdges.every(({ node }) => node.transfers.length === 1)).toBe(true);

    expect(fifty.statements).toBe(five.statements);
    expect(fifty.statements).toBeLessThanOrEqual(MAX_STATEMENTS);
  });

  it('runs as many statements for a later page as for the first', async () => {
    const first = await measuredList(10);
    const before = app.statements.count;
    const next = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW' }, first: 40, after: first.response.data?.notifications.pageInfo.endCursor },
      vaasa,
    );
    const statements = app.statements.count - before;
    expect(next.errors).toBeUndefined();
    expect(next.data?.notifications.edges).toHaveLength(40);
    expect(statements).toBe(first.statements);
  });
});
