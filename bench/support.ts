import net from 'node:net';
import pg from 'pg';

/** Everything a benchmark starts registers its clean-up here; it runs once, in reverse, at the end or on failure. */
export function cleanUpRegistry(log: (message: string) => void, timeoutMs: number) {
  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  let cleanedUp: Promise<void> | undefined;
  return {
    cleanups,
    cleanUp(): Promise<void> {
      cleanedUp ??= (async () => {
        for (const { name, run } of cleanups.reverse()) {
          try {
            await withTimeout(run(), timeoutMs, `clean-up: ${name}`);
          } catch (error) {
            log(`clean-up of ${name} failed: ${(error as Error).message}`);
          }
        }
      })();
      return cleanedUp;
    },
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
