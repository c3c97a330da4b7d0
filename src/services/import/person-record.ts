import { z } from 'zod';
import { dateOfBirthOf, isValidPersonalIdentityCode } from '../../domain/personal-identity-code';
import { isValidPhoneNumber } from '../../domain/phone-number';
import { CONTROL_CHARACTERS, isCalendarDate } from '../../domain/validation';

function hasControlCharacters(value: unknown): boolean {
  if (typeof value === 'string') return CONTROL_CHARACTERS.test(value);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasControlCharacters);
  return false;
}

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO 8601 date YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date');
const optionalText = z.string().trim().min(1).max(500).nullish();

/** A person as Kela delivers them: the field names of the GraphQL `Person` type. */
export const personRecordSchema = z.object({
  personalIdentityCode: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isValidPersonalIdentityCode, 'not a valid personal identity code'),
  firstNames: z.string().trim().min(1).max(200),
  lastName: z.string().trim().min(1).max(200),
  dateOfBirth: isoDate,
  nativeLanguage: optionalText,
  citizenship: optionalText,
  address: z.object({
    street: z.string().trim().min(1).max(300),
    postalCode: z.string().regex(/^\d{5}$/, 'expected a five-digit postal code'),
    postOffice: z.string().trim().min(1).max(100),
  }),
  // A valid number only: the number is shown to handlers and written to their spreadsheets.
  phoneNumber: z
    .string()
    .trim()
    .max(50)
    .refine(isValidPhoneNumber, 'not a valid phone number (expected e.g. +358 40 123 4567 or 040 123 4567)')
    .nullish(),
  firstResidencePermitStart: isoDate.nullish(),
  euEeaCitizen: z.boolean(),
});

export type PersonRecord = z.output<typeof personRecordSchema>;

/** Checks shared by every record that carries a person: no control characters, birth date matching the code. */
export function refinePersonRecord(record: { person: PersonRecord }, context: z.RefinementCtx): void {
  // Control characters (NUL above all) cannot be stored as text: refuse the line rather than fail the import.
  if (hasControlCharacters(record)) {
    context.addIssue({
      code: 'custom',
      path: [],
      message: 'control characters are not allowed in text fields',
    });
  }
  const encoded = dateOfBirthOf(record.person.personalIdentityCode);
  if (encoded && encoded !== record.person.dateOfBirth) {
    context.addIssue({
      code: 'custom',
      path: ['person', 'dateOfBirth'],
      message: `does not match the personal identity code (${encoded})`,
    });
  }
}

/** A delivered person's values in the order of `PERSON_DATA_COLUMNS` (db/person-columns.ts). */
export function personValues(person: PersonRecord): unknown[] {
  return [
    person.personalIdentityCode,
    person.firstNames,
    person.lastName,
    person.dateOfBirth,
    person.nativeLanguage ?? null,
    person.citizenship ?? null,
    person.address.street,
    person.address.postalCode,
    person.address.postOffice,
    person.phoneNumber ?? null,
    person.firstResidencePermitStart ?? null,
    person.euEeaCitizen,
  ];
}
