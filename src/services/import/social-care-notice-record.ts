import { z } from 'zod';
import { SocialCareNoticeKind } from '../../domain/enums';
import { kindRule } from '../../domain/social-care';
import { isoDate, personRecordSchema, refinePersonRecord } from './person-record';

/**
 * One of Kela's social-care notices (NDJSON), documented in the README under "Social-care notices". The person is
 * exactly as in the notification import. Which kinds need `decisionOn` or `supportMonths` follows the kind's rule.
 */
export const socialCareNoticeRecordSchema = z
  .object({
    sourceId: z.string().trim().min(1).max(200),
    kind: z.enum(SocialCareNoticeKind),
    municipalityCode: z.string().regex(/^\d{3}$/, 'expected a three-digit municipality code'),
    receivedAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
    decisionOn: isoDate.nullish(),
    supportMonths: z.number().int().min(1).max(600).nullish(),
    additionalInfo: z.string().max(4000).nullish(),
    person: personRecordSchema,
  })
  .superRefine((record, context) => {
    refinePersonRecord(record, context);
    const rule = kindRule(record.kind);
    if (rule.hasDecision && !record.decisionOn) {
      context.addIssue({
        code: 'custom',
        path: ['decisionOn'],
        message: `required for ${record.kind}: the notice becomes visible on the day after the decision`,
      });
    }
    if (!rule.hasDecision && record.decisionOn) {
      context.addIssue({
        code: 'custom',
        path: ['decisionOn'],
        message: `${record.kind} does not follow a decision on basic income support; leave it out`,
      });
    }
    if (rule.supportMonths === null && record.supportMonths != null) {
      context.addIssue({
        code: 'custom',
        path: ['supportMonths'],
        message: `${record.kind} is not counted in months; leave it out`,
      });
    }
    if (
      rule.supportMonths !== null &&
      record.supportMonths != null &&
      record.supportMonths < rule.supportMonths
    ) {
      context.addIssue({
        code: 'custom',
        path: ['supportMonths'],
        message: `${record.kind} needs at least ${rule.supportMonths} months of basic income support`,
      });
    }
  });

export type SocialCareNoticeRecordInput = z.input<typeof socialCareNoticeRecordSchema>;
export type SocialCareNoticeRecord = z.output<typeof socialCareNoticeRecordSchema>;
