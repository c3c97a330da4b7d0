import 'reflect-metadata';
import { finnishDate, systemClock } from '../domain/clock';
import { isCalendarDate } from '../domain/validation';
import { ImmigrantNotificationRunService } from '../services/immigrant-notification-run.service';
import { parseCommandLine } from './args';
import { type OpenCommand, runCommand } from './run-command';

const USAGE = `Usage: npm run jobs -- immigrant-notifications|home-care-lists [--as-of YYYY-MM-DD]

immigrant-notifications  Kela's weekly run: notifies municipalities about immigrants who received basic income
                 support in consecutive months (INCOME_SUPPORT_CONSECUTIVE_MONTHS, default 2) and whose first
                 residence permit is under RESIDENCE_PERMIT_MAX_YEARS (3) old, or who are EU/EEA citizens. At most one
                 notification per person: reruns create nothing new.

home-care-lists  Generates the month's child home care allowance lists, one per municipality, on or after the
                 month's last weekday (Mon–Fri, not a Finnish public holiday, Midsummer Eve or Christmas Eve).
                 Running it again for the same month changes nothing.

--as-of defaults to today in Finland; a date in the future is refused.`;

async function main(open: OpenCommand): Promise<number> {
  const { values, positionals } = parseCommandLine(USAGE, { 'as-of': { type: 'string' } });
  const [job] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const asOf = (values['as-of'] as string | undefined) ?? finnishDate(systemClock.now());
  if ((job !== 'home-care-lists' && job !== 'immigrant-notifications') || positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  if (!isCalendarDate(asOf)) {
    console.error(`--as-of must be a date YYYY-MM-DD, not ${asOf}`);
    return 2;
  }
  // Kela's runs record what has happened: a run dated ahead would date notifications and lists before their day.
  const today = finnishDate(systemClock.now());
  if (asOf > today) {
    console.error(
      `--as-of ${asOf} is in the future (today is ${today} in Finland): a run is dated on or before the day it runs.`,
    );
    return 2;
  }
  const { config, database, services } = await open();
  if (job === 'immigrant-notifications') {
    const started = performance.now();
    const result = await new ImmigrantNotificationRunService(database.dataSource, config.eligibility).run(
      asOf,
    );
    console.log(
      `Weekly run as of ${asOf}: created ${result.created} notification(s) in ${Math.round(performance.now() - started)} ms.`,
    );
    return 0;
  }
  const result = await services.homeCareAllowanceGeneration.generateMonth(asOf, systemClock.now());
  console.log(
    result.due
      ? `Lists of ${result.month} (generation day ${result.generationDay}): created ${result.listsCreated} list(s) with ${result.rowsCreated} row(s).`
      : `Nothing to do: the lists of ${result.month} are generated on ${result.generationDay}.`,
  );
  return 0;
}

runCommand(main);
