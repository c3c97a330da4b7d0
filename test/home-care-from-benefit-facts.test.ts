import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { BenefitFactImportService } from '../src/services/benefit-facts/benefit-fact-import.service';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

function personLine(code: string, dateOfBirth: string, lastName: string, immigrant: boolean) {
  return JSON.stringify({
    type: 'person',
    municipalityCode: '946',
    person: {
      personalIdentityCode: code,
      firstNames: 'Åsa',
      lastName,
      dateOfBirth,
      nativeLanguage: immigrant ? 'ar' : 'fi',
      citizenship: immigrant ? 'SYR' : 'FIN',
      address: { street: 'Kyrkvägen 3', postalCode: '66600', postOffice: 'VÖRÅ' },
      phoneNumber: null,
      firstResidencePermitStart: immigrant ? '2024-05-01' : null,
      euEeaCitizen: false,
    },
  });
}

describe('monthly lists from the benefit facts', () => {
  it('list immigrants paid child home care allowance for the month, from their first payment', async () => {
    const paid = fictivePersonalIdentityCode('1990-03-04', 1);
    const native = fictivePersonalIdentityCode('1991-03-04', 2);
    const paidEarlier = fictivePersonalIdentityCode('1992-03-04', 3);
    const importer = new BenefitFactImportService(app.dataSource, app.server.services.municipalities);
    const report = await importer.importLines([
      personLine(paid, '1990-03-04', 'Öberg', true),
      personLine(native, '1991-03-04', 'Mäkelä', false),
      personLine(paidEarlier, '1992-03-04', 'Ek', true),
      JSON.stringify({
        type: 'homeCareAllowance',
        personalIdentityCode: paid,
        month: '2026-09',
        childrenCount: 1,
      }),
      JSON.stringify({
        type: 'homeCareAllowance',
        personalIdentityCode: paid,
        month: '2026-10',
        childrenCount: 2,
      }),
      JSON.stringify({
        type: 'homeCareAllowance',
        personalIdentityCode: native,
        month: '2026-10',
        childrenCount: 1,
      }),
      JSON.stringify({
        type: 'homeCareAllowance',
        personalIdentityCode: paidEarlier,
        month: '2026-08',
        childrenCount: 1,
      }),
    ]);
    expect(report.invalid).toEqual([]);

    const result = await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-10-30',
      new Date('2026-10-30T02:00:00Z'),
    );
    // Every municipality gets a list, empty when it has no recipients.
    const [{ n: municipalities }] = await app.dataSource.query('SELECT count(*)::int AS n FROM municipality');
    expect(result).toMatchObject({ due: true, listsCreated: municipalities, rowsCreated: 1 });
    const rows = await app.dataSource.query(
      `SELECT r.personal_identity_code, r.last_name, r.allowance_start, r.children_count, l.municipality_code
         FROM home_care_allowance_list_row r JOIN home_care_allowance_list l ON l.id = r.list_id`,
    );
    expect(rows).toEqual([
      {
        personal_identity_code: paid,
        last_name: 'Öberg',
        allowance_start: '2026-09-01',
        children_count: 2,
        municipality_code: '946',
      },
    ]);
  });
});
