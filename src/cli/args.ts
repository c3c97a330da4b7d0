import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Parses a command's flags; prints the usage and exits 2 on a mistake instead of a stack trace. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  usage: string,
  options: T,
) {
  try {
    return parseArgs({
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
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
