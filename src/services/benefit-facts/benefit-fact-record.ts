import { z } from 'zod';
import { isValidPersonalIdentityCode } from '../../domain/personal-identity-code';
import { personRecordSchema, refinePersonRecord } from '../import/person-record';

const identityCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isValidPersonalIdentityCode, 'not a valid personal identity code');
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM')
  .transform((value) => `${value}-01`);

/**
 * One benefit fact a line (NDJSON), as Kela's registers would deliver them. Documented in the README under
 * "Benefit facts".
 */
export const benefitFactRecordSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('person'),
      /** Municipality of residence: where a notification about the person goes. */
      municipalityCode: z.string().regex(/^\d{3}$/, 'expected a three-digit municipality code'),
      person: personRecordSchema,
    })
    .superRefine(refinePersonRecord),
  z.object({ type: z.literal('basicIncomeSupport'), personalIdentityCode: identityCode, month }),
  /** Unemployment benefit paid for the month: the weekly run's second criterion (Kela's first slide). */
  z.object({ type: z.literal('unemploymentBenefit'), personalIdentityCode: identityCode, month }),
  z.object({
    type: z.literal('homeCareAllowance'),
    personalIdentityCode: identityCode,
    month,
    childrenCount: z.number().int().min(1).max(20),
  }),
  /** The person was an unemployed job seeker that month (the daily social-care run counts these months). */
  z.object({ type: z.literal('unemployment'), personalIdentityCode: identityCode, month }),
]);

export type BenefitFactRecord = z.output<typeof benefitFactRecordSchema>;
