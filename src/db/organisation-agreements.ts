import type { EntityManager } from 'typeorm';
import { DataContent } from '../domain/enums';

/**
 * One open-ended organisation agreement covering every municipality of the reference data and every data content,
 * for databases that stand for a whole country of organisations at once: the tests' template and the benchmarks'.
 * Without it persons' mandates there would open nothing (src/domain/organisation-agreement.ts).
 */
export async function insertAgreementForEveryMunicipality(
  manager: Pick<EntityManager, 'query'>,
  organisationName: string,
): Promise<void> {
  await manager.query(
    `INSERT INTO organisation_agreement (organisation_name, business_id, legal_basis, data_contents,
                                         municipality_codes, valid_from)
     SELECT $1, '0900000-7', 'Fictive agreement for every municipality (tests and benchmarks)', $2,
            array_agg(code ORDER BY code), '2000-01-01'
       FROM municipality`,
    [organisationName, Object.values(DataContent)],
  );
}
