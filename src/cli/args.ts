import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * Parses a command's flags; prints the usage and exits 2 on a mistake instead of a stack trace. `--help` prints the
 * usage on standard output and exits 0 here, whatever else was given, so that no command does anything when asked
 * for help.
 */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  usage: string,
  options: T,
) {
  const config = {
    options: { ...options, help: { type: 'boolean' as const } },
    allowPositionals: true as const,
    strict: true as const,
  };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    if (process.argv.includes('--help')) exitWithUsage(usage);
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) exitWithUsage(usage);
  return parsed;
}

function exitWithUsage(usage: string): never {
  console.log(usage);
  process.exit(0);
}

/** For commands that take no arguments: `--help` prints the usage (exit 0); anything else is a mistake (exit 2). */
export function refuseArguments(usage: string): void {
  const { values, positionals } = parseCommandLine(usage, {});
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (positionals.length > 0) {
    console.error(`Unexpected argument: ${positionals[0]}\n\n${usage}`);
    process.exit(2);
  }
}
