import type { z } from 'zod';

export interface ImportProblem {
  line: number;
  sourceId?: string;
  message: string;
}

export interface NdjsonReport {
  imported: number;
  alreadyImported: number;
  /** Valid lines the rules say to skip (e.g. a second notification for one person). */
  skipped: ImportProblem[];
  invalid: ImportProblem[];
  /** Ids of the rows this run created, by the record's key. */
  createdIds: Map<string, string>;
}

export type RecordOutcome =
  | { kind: 'imported'; id: string }
  | { kind: 'alreadyImported' }
  | { kind: 'skipped'; message: string }
  | { kind: 'invalid'; message: string };

export interface NdjsonImporter<Schema extends z.ZodType> {
  schema: Schema;
  /** A human key for reports (Kela's source id, or none). */
  keyOf(record: z.output<Schema>): string | undefined;
  /** Writes one record in its own transaction; returns what happened. */
  importRecord(record: z.output<Schema>): Promise<RecordOutcome>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('; ');
}

/** PostgreSQL error classes that belong to the line, not to the run: data exceptions (22) and constraints (23). */
function isRecordProblem(error: unknown): boolean {
  const code = (error as { driverError?: { code?: string } }).driverError?.code ?? '';
  return code.startsWith('22') || code.startsWith('23');
}

/**
 * The NDJSON import loop every kind shares: one JSON object a line; invalid lines are reported with their numbers and
 * skipped while valid ones are kept; each record is its own transaction, so an interruption leaves nothing half-written.
 */
export async function importNdjson<Schema extends z.ZodType>(
  lines: AsyncIterable<string> | Iterable<string>,
  importer: NdjsonImporter<Schema>,
): Promise<NdjsonReport> {
  const report: NdjsonReport = {
    imported: 0,
    alreadyImported: 0,
    skipped: [],
    invalid: [],
    createdIds: new Map(),
  };
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      report.invalid.push({ line: lineNumber, message: 'not a JSON object' });
      continue;
    }
    const parsed = importer.schema.safeParse(json);
    if (!parsed.success) {
      const sourceId = (json as { sourceId?: unknown } | null)?.sourceId;
      report.invalid.push({
        line: lineNumber,
        ...(typeof sourceId === 'string' ? { sourceId } : {}),
        message: describeIssues(parsed.error),
      });
      continue;
    }
    const record = parsed.data;
    const key = importer.keyOf(record);
    const where = { line: lineNumber, ...(key ? { sourceId: key } : {}) };
    let outcome: RecordOutcome;
    try {
      outcome = await importer.importRecord(record);
    } catch (error) {
      // The record was rolled back whole. Anything but bad data or a concurrent duplicate (database gone) stops the run.
      if (!isRecordProblem(error)) throw error;
      outcome = {
        kind: 'invalid',
        message: 'the database refused the record (a concurrent import, or a value out of range)',
      };
    }
    switch (outcome.kind) {
      case 'imported':
        report.imported += 1;
        if (key) report.createdIds.set(key, outcome.id);
        break;
      case 'alreadyImported':
        report.alreadyImported += 1;
        break;
      case 'skipped':
        report.skipped.push({ ...where, message: outcome.message });
        break;
      case 'invalid':
        report.invalid.push({ ...where, message: outcome.message });
        break;
    }
  }
  return report;
}
