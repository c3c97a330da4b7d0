import { z } from 'zod';
import { NotificationKind } from '../../domain/enums';
import { dateOfBirthOf, isValidPersonalIdentityCode } from '../../domain/personal-identity-code';
import { CONTROL_CHARACTERS } from '../../domain/validation';

function hasControlCharacters(value: unknown): boolean {
  if (typeof value === 'string') return CONTROL_CHARACTERS.test(value);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasControlCharacters);
  return false;
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO 8601 date YYYY-MM-DD')
  .refine((value) => new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'not a calendar date');
const optionalText = z.string().trim().min(1).max(500).nullish();

/**
 * One line of Kela's weekly delivery (NDJSON). Person fields carry the GraphQL `Person` type's names.
 * Documented in the README under "Import format".
 */
export const notificationRecordSchema = z
  .object({
    sourceId: z.string().trim().min(1).max(200),
    kind: z.enum(NotificationKind),
    municipalityCode: z.string().regex(/^\d{3}$/, 'expected a three-digit municipality code'),
    createdAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
    additionalInfo: z.string().max(4000).nullish(),
    person: z.object({
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
      phoneNumber: optionalText,
      firstResidencePermitStart: isoDate.nullish(),
      euEeaCitizen: z.boolean(),
    }),
  })
  .superRefine((record, context) => {
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
  });

export type NotificationRecordInput = z.input<typeof notificationRecordSchema>;
export type NotificationRecord = z.output<typeof notificationRecordSchema>;
