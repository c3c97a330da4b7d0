import net from 'node:net';

/** The port is taken (most often by another `npm start`): said in words, with the way out, before any work is done. */
export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(
      `Port ${port} on ${host} is already in use (is another kelmu-graphql running?). ` +
        `Stop the other process, or choose another port: PORT=${port + 1} npm start`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Fails with PortInUseError when the port cannot be bound; checked before the database is opened, so that a second
 * instance started by mistake touches nothing (no migrations, no purge against the first one's data).
 */
export function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
