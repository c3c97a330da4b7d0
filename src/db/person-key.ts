/**
 * The one home of the person key: the notification ledger's and the access log's key of a person, a keyed MAC
 * (the session's person key, see access-log-key.ts) over the ledger's salted hash of the identity code. Never the code.
 * `code` is an SQL expression giving the identity code; the result is an SQL expression of type bytea.
 */
export function personKeySql(code: string): string {
  return `kelmu_person_key(${code}, (SELECT value FROM app_setting WHERE key = 'ledger_salt'))`;
}

/**
 * The key of a `person` row (alias `alias`): kept on the row since it was written (migration PersonKeyOnPerson), or
 * computed here for a row that a session without the key wrote.
 */
export function storedPersonKeySql(alias: string): string {
  return `coalesce(${alias}.person_key, ${personKeySql(`${alias}.personal_identity_code`)})`;
}
