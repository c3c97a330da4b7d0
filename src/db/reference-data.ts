import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { EntityManager } from 'typeorm';
import { PROJECT_ROOT } from '../paths';

/** Folder of the municipality and postal code files copied from Statistics Finland and Posti (data/SOURCES.md). */
export const REFERENCE_DATA_DIR = path.join(PROJECT_ROOT, 'data');

function readCsv(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(path.join(REFERENCE_DATA_DIR, file), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  });
}

/** The municipalities of the reference file (code and welfare area id), for commands that check codes without a database. */
export function referenceMunicipalities(): { code: string; welfareAreaId: string | null }[] {
  return readCsv('municipalities.csv').map((row) => ({
    code: row.municipality_code ?? '',
    welfareAreaId: row.welfare_area_id_yle || null,
  }));
}

/**
 * Upserts the 308 municipalities and the postal codes. Idempotent: runs at every start-up after the migrations,
 * so a new edition of the files reaches existing databases.
 */
export async function loadReferenceData(
  manager: EntityManager,
): Promise<{ municipalities: number; postalCodes: number }> {
  const municipalities = readCsv('municipalities.csv');
  const postalCodes = readCsv('postcodes.csv');
  await manager.query(
    `INSERT INTO municipality (code, name_fi, name_sv, name_en, welfare_area_id, welfare_area_fi, welfare_area_sv, population)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
     ON CONFLICT (code) DO UPDATE SET name_fi = excluded.name_fi, name_sv = excluded.name_sv, name_en = excluded.name_en,
       welfare_area_id = excluded.welfare_area_id, welfare_area_fi = excluded.welfare_area_fi,
       welfare_area_sv = excluded.welfare_area_sv, population = excluded.population`,
    [
      municipalities.map((m) => m.municipality_code),
      municipalities.map((m) => m.name_fi),
      municipalities.map((m) => m.name_sv || m.name_fi),
      municipalities.map((m) => m.name_en || m.name_fi),
      municipalities.map((m) => m.welfare_area_id_yle || null),
      municipalities.map((m) => m.welfare_area_fi || null),
      municipalities.map((m) => m.welfare_area_sv || null),
      municipalities.map((m) => Number(m.population_2021 || 0)),
    ],
  );
  const knownMunicipalities = new Set(municipalities.map((m) => m.municipality_code));
  const usablePostalCodes = postalCodes.filter((p) => knownMunicipalities.has(p.municipal_code ?? ''));
  await manager.query(
    `INSERT INTO postal_code (code, municipality_code, post_office_fi, post_office_sv, type_code)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[])
     ON CONFLICT (code) DO UPDATE SET municipality_code = excluded.municipality_code,
       post_office_fi = excluded.post_office_fi, post_office_sv = excluded.post_office_sv, type_code = excluded.type_code`,
    [
      usablePostalCodes.map((p) => p.postcode),
      usablePostalCodes.map((p) => p.municipal_code),
      usablePostalCodes.map((p) => p.postcode_fi_name),
      usablePostalCodes.map((p) => p.postcode_sv_name || p.postcode_fi_name),
      usablePostalCodes.map((p) => Number(p.type_code)),
    ],
  );
  return { municipalities: municipalities.length, postalCodes: usablePostalCodes.length };
}
