import { describe, expect, it } from 'vitest';
import { runCommand } from './support/processes';

/** Every command answers a mistyped argument with its usage and exit 2, before it touches any database. */
const COMMANDS = [
  'token',
  'purge',
  'import',
  'jobs',
  'worker',
  'agreements',
  'webhooks',
  'generate',
  'audit-verify',
] as const;

describe('a wrong argument to a command', () => {
  it.each(COMMANDS)('%s: usage on standard error, exit 2', async (command) => {
    // A database URL nobody answers: a command that tried to connect would fail differently (and slowly).
    const result = await runCommand(
      `src/cli/${command}.ts`,
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      ['--no-such-option'],
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--no-such-option'/);
    expect(result.stderr).toMatch(/Usage: npm run /);
  });

  it.each(['purge', 'worker', 'audit-verify'] as const)(
    '%s takes no positional argument',
    async (command) => {
      const result = await runCommand(
        `src/cli/${command}.ts`,
        { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
        ['extra'],
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/Unexpected argument: extra/);
    },
  );

  it.each(COMMANDS)('%s --help: the usage on standard output, exit 0, and nothing done', async (command) => {
    // Given with a mistake too: asking for help wins, and nothing reaches for the (unreachable) database.
    const result = await runCommand(
      `src/cli/${command}.ts`,
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      ['--help', '--no-such-option'],
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run /);
    expect(result.stderr).toBe('');
  });
});
