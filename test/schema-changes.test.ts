import fs from 'node:fs';
import {
  buildSchema,
  type DefinitionNode,
  type EnumTypeDefinitionNode,
  type FieldDefinitionNode,
  Kind,
  type ObjectTypeDefinitionNode,
  parse,
  print,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  APPROVALS_FILE,
  checkCommittedSchema,
  checkSchemaChanges,
  formatSchemaChangeReport,
  type IntendedBreakingChange,
  parseIntendedBreakingChanges,
  RELEASED_SCHEMA_FILE,
  type SchemaChangeReport,
} from '../src/schema/check-changes';

const released = fs.readFileSync(RELEASED_SCHEMA_FILE, 'utf8');

/** The SDL with one named type definition rewritten. */
function editDefinition<T extends DefinitionNode>(
  sdl: string,
  name: string,
  change: (definition: T) => T,
): string {
  const document = parse(sdl);
  const definitions = document.definitions.map((definition) =>
    'name' in definition && definition.name?.value === name ? change(definition as T) : definition,
  );
  expect(definitions, `no type ${name}`).not.toEqual(document.definitions);
  return print({ ...document, definitions });
}

function changeField(
  sdl: string,
  typeName: string,
  fieldName: string,
  change: (field: FieldDefinitionNode) => FieldDefinitionNode | null,
): string {
  return editDefinition<ObjectTypeDefinitionNode>(sdl, typeName, (type) => ({
    ...type,
    fields: (type.fields ?? []).flatMap((field) => {
      if (field.name.value !== fieldName) return [field];
      const changed = change(field);
      return changed ? [changed] : [];
    }),
  }));
}

const removeField = (sdl: string, typeName: string, fieldName: string) =>
  changeField(sdl, typeName, fieldName, () => null);

const removeEnumValue = (sdl: string, enumName: string, value: string) =>
  editDefinition<EnumTypeDefinitionNode>(sdl, enumName, (type) => ({
    ...type,
    values: type.values?.filter((enumValue) => enumValue.name.value !== value),
  }));

const summary = (report: SchemaChangeReport) => ({
  ok: report.ok,
  breaking: report.breaking.map((change) => `${change.type} ${change.path}`),
  approved: report.approved.map(({ change }) => `${change.type} ${change.path}`),
  stale: report.staleApprovals.map((entry) => `${entry.type} ${entry.path ?? entry.message}`),
});

describe('the schema change check (npm run schema:check)', () => {
  it('passes for the committed schema, released schema and approvals', async () => {
    const report = await checkCommittedSchema();
    expect(summary(report), formatSchemaChangeReport(report)).toMatchObject({
      ok: true,
      breaking: [],
      stale: [],
    });
  });

  it('keeps the released schema a valid schema and the approvals a valid list', () => {
    expect(() => buildSchema(released)).not.toThrow();
    expect(() =>
      parseIntendedBreakingChanges(JSON.parse(fs.readFileSync(APPROVALS_FILE, 'utf8'))),
    ).not.toThrow();
  });

  it('passes when nothing changed', async () => {
    const report = await checkSchemaChanges(released, released, []);
    expect(report).toMatchObject({ ok: true, breaking: [], dangerous: [], safe: [] });
  });

  it('fails on a removed field', async () => {
    const removed = removeField(released, 'Query', 'viewer');
    expect(summary(await checkSchemaChanges(released, removed, []))).toMatchObject({
      ok: false,
      breaking: ['FIELD_REMOVED Query.viewer'],
    });
  });

  it('fails on an argument made required', async () => {
    const required = changeField(released, 'Query', 'homeCareAllowanceLists', (field) => ({
      ...field,
      arguments: field.arguments?.map((arg) =>
        arg.name.value === 'municipalityCode' && arg.type.kind !== Kind.NON_NULL_TYPE
          ? { ...arg, type: { kind: Kind.NON_NULL_TYPE, type: arg.type } }
          : arg,
      ),
    }));
    expect(summary(await checkSchemaChanges(released, required, []))).toMatchObject({
      ok: false,
      breaking: ['FIELD_ARGUMENT_TYPE_CHANGED Query.homeCareAllowanceLists.municipalityCode'],
    });
  });

  it('fails on a removed enum value', async () => {
    const removed = removeEnumValue(released, 'DataContent', 'SOCIAL_ASSISTANCE');
    expect(summary(await checkSchemaChanges(released, removed, []))).toMatchObject({
      ok: false,
      breaking: ['ENUM_VALUE_REMOVED DataContent.SOCIAL_ASSISTANCE'],
    });
  });

  it('fails on a non-null field made nullable (clients relied on a value)', async () => {
    const nullable = changeField(released, 'Notification', 'pendingDays', (field) =>
      field.type.kind === Kind.NON_NULL_TYPE ? { ...field, type: field.type.type } : field,
    );
    expect(summary(await checkSchemaChanges(released, nullable, []))).toMatchObject({
      ok: false,
      breaking: ['FIELD_TYPE_CHANGED Notification.pendingDays'],
    });
  });

  it('passes an added field and an optional argument (reported as safe or dangerous)', async () => {
    const replace = (sdl: string, from: string, to: string) => {
      expect(sdl, from).toContain(from);
      return sdl.replace(from, to);
    };
    let added = replace(
      released,
      'type Query {\n',
      'type Query {\n  """New."""\n  serviceVersion: String!\n\n',
    );
    added = replace(
      added,
      '  kind: NotificationKind!\n',
      '  kind: NotificationKind!\n\n  """New, nullable."""\n  ageHours: Int\n',
    );
    added = replace(
      added,
      '    id: ID!\n  ): Notification\n',
      '    id: ID!\n\n    """Optional."""\n    withTransfers: Boolean = true\n  ): Notification\n',
    );
    const report = await checkSchemaChanges(released, added, []);
    expect(summary(report)).toMatchObject({ ok: true, breaking: [] });
    expect([...report.safe, ...report.dangerous].map((change) => `${change.type} ${change.path}`)).toEqual(
      expect.arrayContaining([
        'FIELD_ADDED Query.serviceVersion',
        'FIELD_ADDED Notification.ageHours',
        'FIELD_ARGUMENT_ADDED Query.notification.withTransfers',
      ]),
    );
  });

  describe('approvals (src/schema/released/intended-breaking-changes.json)', () => {
    const removedViewerAndEnumValue = removeEnumValue(
      removeField(released, 'Query', 'viewer'),
      'DataContent',
      'SOCIAL_ASSISTANCE',
    );
    const approveEnumValue: IntendedBreakingChange = {
      type: 'ENUM_VALUE_REMOVED',
      path: 'DataContent.SOCIAL_ASSISTANCE',
      reason: 'Never granted by any mandate; announced to partner systems on 2026-11-01.',
    };

    it('let the named breaking change pass, with its reason, and only that one', async () => {
      const report = await checkSchemaChanges(released, removedViewerAndEnumValue, [approveEnumValue]);
      expect(summary(report)).toEqual({
        ok: false,
        breaking: ['FIELD_REMOVED Query.viewer'],
        approved: ['ENUM_VALUE_REMOVED DataContent.SOCIAL_ASSISTANCE'],
        stale: [],
      });
      expect(report.approved[0]?.approval.reason).toBe(approveEnumValue.reason);
      const onlyEnum = removeEnumValue(released, 'DataContent', 'SOCIAL_ASSISTANCE');
      expect(summary(await checkSchemaChanges(released, onlyEnum, [approveEnumValue])).ok).toBe(true);
    });

    it('may name a change by its exact message instead of its path', async () => {
      const byMessage: IntendedBreakingChange = {
        type: 'FIELD_REMOVED',
        message: "Field 'viewer' was removed from object type 'Query'",
        reason: 'Replaced by me { … }.',
      };
      const report = await checkSchemaChanges(released, removedViewerAndEnumValue, [
        approveEnumValue,
        byMessage,
      ]);
      expect(summary(report)).toMatchObject({ ok: true, breaking: [], stale: [] });
    });

    it('fail the check when an approval names no breaking change (stale)', async () => {
      const report = await checkSchemaChanges(released, released, [approveEnumValue]);
      expect(summary(report)).toEqual({
        ok: false,
        breaking: [],
        approved: [],
        stale: ['ENUM_VALUE_REMOVED DataContent.SOCIAL_ASSISTANCE'],
      });
      expect(formatSchemaChangeReport(report)).toContain('Stale approvals');
    });

    it('must give a reason and name the change by path or message', async () => {
      await expect(
        checkSchemaChanges(released, released, [{ ...approveEnumValue, reason: '  ' }]),
      ).rejects.toThrow(/say why/);
      await expect(
        checkSchemaChanges(released, released, [{ type: 'FIELD_REMOVED', reason: 'everything' }]),
      ).rejects.toThrow(/path or its message/);
      expect(() => parseIntendedBreakingChanges({})).toThrow(/invalid intended breaking changes/);
    });
  });

  it('prints the breaking change and the approval entry to add', async () => {
    const removed = removeField(released, 'Query', 'viewer');
    const text = formatSchemaChangeReport(await checkSchemaChanges(released, removed, []));
    expect(text).toContain('FIELD_REMOVED Query.viewer');
    expect(text).toContain('"path": "Query.viewer"');
    expect(text).toMatch(/Schema check FAILED\.$/);
  });
});
