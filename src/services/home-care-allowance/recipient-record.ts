import { z } from 'zod';
import { isoDate, personRecordSchema, refinePersonRecord } from '../import/person-record';

/**
 * One recipient of child home care allowance, one JSON object a line, until Kela's benefit feed exists.
 * The person has the GraphQL `Person` type's field names. Documented in the README.
 */
export const recipientRecordSchema = z
  .object({
    municipalityCode: z.string().regex(/^\d{3}$/, 'expected a three-digit municipality code'),
    allowanceStartDate: isoDate,
    allowanceEndDate: isoDate.nullish(),
    childrenCount: z.number().int().min(1).max(20),
    person: personRecordSchema,
  })
  .superRefine(refinePersonRecord)
  .refine((record) => !record.allowanceEndDate || record.allowanceEndDate >= record.allowanceStartDate, {
    path: ['allowanceEndDate'],
    message: 'ends before it starts',
  });

export type RecipientRecordInput = z.input<typeof recipientRecordSchema>;
export type RecipientRecord = z.output<typeof recipientRecordSchema>;
