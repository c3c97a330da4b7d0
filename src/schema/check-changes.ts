import fs from 'node:fs';
import path from 'node:path';
import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { z } from 'zod';

/** The schema clients were last given (`npm run schema:release` writes it) and the breaking changes meant since. */
export const RELEASED_SCHEMA_FILE = path.join(__dirname, 'released', 'schema.graphql');
export const APPROVALS_FILE = path.join(__dirname, 'released', 'intended-breaking-changes.json');
export const CURRENT_SCHEMA_FILE = path.join(__dirname, 'schema.graphql');

/**
 * One breaking change that is meant: graphql-inspector's change `type` (e.g. FIELD_REMOVED) and its `path`
 * (e.g. Query.viewer) or its exact `message`, and why clients may be broken.
 */
export interface IntendedBreakingChange {
  type: string;
  path?: string;
  message?: string;
  reason: string;
}

const intendedBreakingChange = z
  .strictObject({
    type: z.string().regex(/^[A-Z_]+$/, 'an inspector change type such as FIELD_REMOVED'),
    path: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
    reason: z.string().trim().min(1, 'say why the break is meant'),
  })
  .refine((entry) => entry.path !== undefined || entry.message !== undefined, {
    message: 'name the change by its path or its message, not only by its type',
  });

/** Validates an approvals list (the parsed JSON file); throws with the offending entry's index. */
export function parseIntendedBreakingChanges(value: unknown): IntendedBreakingChange[] {
  const result = z.array(intendedBreakingChange).safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `  [${issue.path.join('.')}] ${issue.message}`);
    throw new Error(`invalid intended breaking changes:\n${issues.join('\n')}`);
  }
  return result.data;
}

export interface SchemaChangeReport {
  /** Breaking changes no approval names: these fail the check. */
  breaking: Change[];
  /** Breaking changes an approval names, with it. */
  approved: { change: Change; approval: IntendedBreakingChange }[];
  /** Changes that can break a client that assumes too much (a new enum value, an optional argument…): reported. */
  dangerous: Change[];
  safe: Change[];
  /** Approvals that name no breaking change between the two schemas: these fail the check too. */
  staleApprovals: IntendedBreakingChange[];
  /** Whether the check passes: no unapproved breaking change and no stale approval. */
  ok: boolean;
}

function names(approval: IntendedBreakingChange, change: Change): boolean {
  return (
    approval.type === change.type &&
    (approval.path === undefined || approval.path === change.path) &&
    (approval.message === undefined || approval.message === change.message)
  );
}

/**
 * Compares the current SDL with the released one (graphql-inspector's criticality rules) and sorts the changes.
 * A breaking change passes only when an approval names it; an approval that names nothing fails, so that the list
 * never keeps approving what is no longer there.
 */
export async function checkSchemaChanges(
  released: string,
  current: string,
  approvals: readonly IntendedBreakingChange[],
): Promise<SchemaChangeReport> {
  const intended = parseIntendedBreakingChanges(approvals);
  const changes = await diff(buildSchema(released), buildSchema(current));
  const report: SchemaChangeReport = {
    breaking: [],
    approved: [],
    dangerous: [],
    safe: [],
    staleApprovals: [],
    ok: false,
  };
  const used = new Set<IntendedBreakingChange>();
  for (const change of changes) {
    switch (change.criticality.level) {
      case CriticalityLevel.Breaking: {
        const approval = intended.find((entry) => names(entry, change));
        if (approval) {
          used.add(approval);
          report.approved.push({ change, approval });
        } else {
          report.breaking.push(change);
        }
        break;
      }
      case CriticalityLevel.Dangerous:
        report.dangerous.push(change);
        break;
      default:
        report.safe.push(change);
    }
  }
  report.staleApprovals = intended.filter((entry) => !used.has(entry));
  report.ok = report.breaking.length === 0 && report.staleApprovals.length === 0;
  return report;
}

/**
 * Reads the committed files and checks the current schema against the released one. The approvals file is
 * validated by checkSchemaChanges.
 */
export async function checkCommittedSchema(
  files = { released: RELEASED_SCHEMA_FILE, current: CURRENT_SCHEMA_FILE, approvals: APPROVALS_FILE },
): Promise<SchemaChangeReport> {
  return checkSchemaChanges(
    fs.readFileSync(files.released, 'utf8'),
    fs.readFileSync(files.current, 'utf8'),
    JSON.parse(fs.readFileSync(files.approvals, 'utf8')),
  );
}

function line(change: Change): string {
  return `  ${change.type} ${change.path ?? ''}: ${change.message}`;
}

/** The report as `npm run schema:check` prints it; safe changes only as a count unless `verbose`. */
export function formatSchemaChangeReport(report: SchemaChangeReport, { verbose = false } = {}): string {
  const out: string[] = [];
  const section = (title: string, lines: string[]) => {
    if (lines.length > 0) out.push(`${title} (${lines.length}):`, ...lines);
  };
  section('Breaking changes', report.breaking.map(line));
  section(
    'Intended breaking changes',
    report.approved.map(({ change, approval }) => `${line(change)}\n    reason: ${approval.reason}`),
  );
  section(
    'Stale approvals (they name no breaking change; remove them)',
    report.staleApprovals.map((entry) => `  ${JSON.stringify(entry)}`),
  );
  section('Dangerous changes', report.dangerous.map(line));
  if (verbose) section('Safe changes', report.safe.map(line));
  else if (report.safe.length > 0) out.push(`Safe changes: ${report.safe.length} (--verbose lists them).`);
  if (out.length === 0) out.push('No changes since the released schema.');
  if (report.breaking.length > 0) {
    const example = report.breaking.map((change) => ({
      type: change.type,
      path: change.path,
      reason: 'why clients may break, and how they were told',
    }));
    out.push(
      '',
      'These break clients of the released schema. Make the change compatible (add, deprecate, then remove in a',
      `later release), or, if the break is meant, add it to ${path.relative(process.cwd(), APPROVALS_FILE)}:`,
      JSON.stringify(example, null, 2),
    );
  }
  out.push('', report.ok ? 'Schema check passed.' : 'Schema check FAILED.');
  return out.join('\n');
}
