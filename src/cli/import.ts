import 'reflect-metadata';
import fs from 'node:fs';
import readline from 'node:readline';
import { BenefitFactImportService } from '../services/benefit-facts/benefit-fact-import.service';
import { RecipientImportService } from '../services/home-care-allowance/recipient-import.service';
import { NotificationImportService } from '../services/import/notification-import.service';
import { SocialCareNoticeImportService } from '../services/import/social-care-notice-import.service';
import { parseCommandLine } from './args';
import { type OpenCommand, runCommand } from './run-command';

const USAGE = `Usage: npm run import -- [--kind notifications|home-care-allowance|benefit-facts|social-care] FILE.ndjson

One JSON object a line (formats in the README); invalid lines are reported with their numbers and skipped.
  --kind notifications         Kela's weekly immigrant notifications (default); idempotent on sourceId
  --kind home-care-allowance   child home care allowance recipients; idempotent on person and allowance start
  --kind benefit-facts         persons, basic income support decisions, child home care allowance payments
  --kind social-care           Kela's social-care notices to welfare areas, Helsinki and Åland; idempotent on sourceId`;

async function main(open: OpenCommand): Promise<number> {
  const { values, positionals } = parseCommandLine(USAGE, {
    kind: { type: 'string', default: 'notifications' },
  });
  const [file] = positionals;
  if (values.help || !file || positionals.length > 1) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  if (
    !['notifications', 'home-care-allowance', 'benefit-facts', 'social-care'].includes(String(values.kind))
  ) {
    console.error(`Unknown --kind ${String(values.kind)}.\n\n${USAGE}`);
    process.exit(2);
  }
  if (!fs.existsSync(file)) {
    console.error(`No such file: ${file}`);
    process.exit(2);
  }
  const { database, services } = await open();
  const lines = readline.createInterface({
    input: fs.createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const importers = {
    notifications: NotificationImportService,
    'home-care-allowance': RecipientImportService,
    'benefit-facts': BenefitFactImportService,
    'social-care': SocialCareNoticeImportService,
  };
  const Importer = importers[values.kind as keyof typeof importers];
  const report = await new Importer(database.dataSource, services.municipalities).importLines(lines);
  for (const problem of [...report.invalid, ...report.skipped]) {
    console.error(
      `line ${problem.line}${problem.sourceId ? ` (${problem.sourceId})` : ''}: ${problem.message}`,
    );
  }
  console.log(
    values.kind === 'social-care'
      ? `Imported ${report.imported}, already imported ${report.alreadyImported}, invalid ${report.invalid.length}.`
      : values.kind !== 'notifications'
        ? `Imported ${report.imported}, updated ${report.alreadyImported}, invalid ${report.invalid.length}.`
        : `Imported ${report.imported}, already imported ${report.alreadyImported}, ` +
          `skipped as a second notification for the person ${report.skipped.length}, invalid ${report.invalid.length}.`,
  );
  return report.invalid.length > 0 ? 1 : 0;
}

runCommand(main);
