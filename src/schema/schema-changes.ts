import fs from 'node:fs';
import path from 'node:path';
import {
  APPROVALS_FILE,
  CURRENT_SCHEMA_FILE,
  checkCommittedSchema,
  formatSchemaChangeReport,
  RELEASED_SCHEMA_FILE,
} from './check-changes';

/**
 * `npm run schema:check`: compares src/schema/schema.graphql with the released schema; exit 1 on a breaking change
 * that src/schema/released/intended-breaking-changes.json does not name, or on an approval that names nothing.
 * `npm run schema:release`: makes the current schema the released one and empties the approvals (run it when
 * cutting a release).
 */
async function main([command, ...options]: string[]): Promise<number> {
  const relative = (file: string) => path.relative(process.cwd(), file);
  switch (command) {
    case 'check': {
      const report = await checkCommittedSchema();
      console.log(formatSchemaChangeReport(report, { verbose: options.includes('--verbose') }));
      return report.ok ? 0 : 1;
    }
    case 'release': {
      fs.copyFileSync(CURRENT_SCHEMA_FILE, RELEASED_SCHEMA_FILE);
      fs.writeFileSync(APPROVALS_FILE, '[]\n');
      console.log(`wrote ${relative(RELEASED_SCHEMA_FILE)} and emptied ${relative(APPROVALS_FILE)}`);
      return 0;
    }
    default:
      console.error(
        'Usage: node -r @swc-node/register src/schema/schema-changes.ts check [--verbose] | release',
      );
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
