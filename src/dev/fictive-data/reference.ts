import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REFERENCE_DATA_DIR } from '../../db/reference-data';

export interface MunicipalityInput {
  code: string;
  /** Population 2021 (Statistics Finland via Yle), the weight of the municipality. */
  population: number;
  /** Posti's language-ratio code: 1 Finnish, 2 bilingual, 4 Swedish (Åland and Närpes). */
  languageRatioCode: number;
}

export interface PostalCodeInput {
  code: string;
  municipalityCode: string;
  postOfficeFi: string;
  postOfficeSv: string;
  /** 1 = ordinary street-address code; others are PO boxes, corporate and reply codes. */
  typeCode: number;
}

export interface ReferenceInputs {
  municipalities: MunicipalityInput[];
  postalCodes: PostalCodeInput[];
}

function readCsv(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(path.join(REFERENCE_DATA_DIR, file), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  });
}

/**
 * The municipalities and postal codes from the project's data files, the same ones loadReferenceData puts in the
 * database. Read from the files rather than the database so that the generated rows depend only on the seed.
 */
export function loadReferenceInputs(): ReferenceInputs {
  const municipalities = readCsv('municipalities.csv').map((row) => ({
    code: row.municipality_code as string,
    population: Number(row.population_2021 || 0),
    languageRatioCode: Number(row.language_ratio_code_posti || 1),
  }));
  const known = new Set(municipalities.map((m) => m.code));
  const postalCodes = readCsv('postcodes.csv')
    .filter((row) => known.has(row.municipal_code ?? ''))
    .map((row) => ({
      code: row.postcode as string,
      municipalityCode: row.municipal_code as string,
      postOfficeFi: row.postcode_fi_name as string,
      postOfficeSv: row.postcode_sv_name || (row.postcode_fi_name as string),
      typeCode: Number(row.type_code),
    }));
  return { municipalities, postalCodes };
}
