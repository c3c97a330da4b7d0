import { z } from 'zod';
import { NotificationCriterion, NotificationKind, ResidenceBasis } from '../../domain/enums';
import { personRecordSchema, refinePersonRecord } from './person-record';

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
    /** Which of the weekly run's criteria Kela says were met; each at most once. */
    criteria: z
      .array(z.enum(NotificationCriterion))
      .max(Object.keys(NotificationCriterion).length)
      .refine((values) => new Set(values).size === values.length, 'a criterion is listed twice')
      .nullish(),
    residenceBasis: z.enum(ResidenceBasis).nullish(),
    person: personRecordSchema,
  })
  .superRefine(refinePersonRecord);

export type NotificationRecordInput = z.input<typeof notificationRecordSchema>;
export type NotificationRecord = z.output<typeof notificationRecordSchema>;
