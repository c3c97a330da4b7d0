import http from 'node:http';
import net from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { gracefulClose } from '../src/http/graceful-close';

/** A raw keep-alive connection: what a client's agent holds between requests. */
class Connection {
  readonly socket: net.Socket;
  received = '';
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.received += chunk;
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  send(path: string): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  }

  async until(text: string): Promise<void> {
    while (!this.received.includes(text)) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function serve() {
  const app = express();
  const server = http.createServer(app);
  const closer = gracefulClose(server);
  let release: () => void = () => {};
  const slowStarted = new Promise<void>((started) => {
    app.get('/slow', async (_req, res) => {
      started();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      res.send('answered after cancel');
    });
  });
  // Work before the refusal (a token check): a request that reaches it only once stopping began is not run.
  app.use('/late', (_req, _res, next) => void setTimeout(next, 100));
  app.use(closer.refuseWhileStopping);
  const ran: string[] = [];
  app.get('/fast', (_req, res) => {
    ran.push('fast');
    res.send('ok');
  });
  app.get('/late', (_req, res) => {
    ran.push('late');
    res.send('ran');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, closer, ran, slowStarted, release: () => release() };
}

describe('closing the HTTP server', () => {
  it('closes idle kept-alive connections, answers in-flight requests with Connection: close, cancels at the deadline', async () => {
    const { port, closer, slowStarted, release } = await serve();
    const idle = new Connection(port);
    idle.send('/fast');
    await idle.until('\r\n\r\nok');
    expect(idle.received).toMatch(/^HTTP\/1\.1 200/);
    const busy = new Connection(port);
    busy.send('/slow');
    await slowStarted;

    let cancels = 0;
    const started = Date.now();
    const closing = closer.close({
      drainMs: 2000,
      cancelGraceMs: 2000,
      cancel: async () => {
        cancels += 1;
        release();
      },
    });
    await idle.closed;
    expect(Date.now() - started).toBeLessThan(1500);

    expect(await closing).toEqual({ cancelled: true });
    expect(cancels).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
    await busy.closed;
    expect(busy.received).toMatch(/^HTTP\/1\.1 200/);
    expect(busy.received.toLowerCase()).toContain('connection: close');
    expect(busy.received).toContain('answered after cancel');
    // No new connections.
    const refused = await new Promise<string>((resolve) =>
      net
        .connect(port, '127.0.0.1')
        .once('error', (error: NodeJS.ErrnoException) => resolve(String(error.code))),
    );
    expect(refused).toBe('ECONNREFUSED');
  });

  it('answers a request that reaches the API once stopping began 503, with Connection: close, without running it', async () => {
    const { port, closer, ran } = await serve();
    const late = new Connection(port);
    late.send('/late');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const closing = closer.close({ drainMs: 5000, cancelGraceMs: 1000, cancel: async () => {} });
    await late.closed;
    expect(await closing).toEqual({ cancelled: false });
    expect(late.received).toMatch(/^HTTP\/1\.1 503/);
    expect(late.received.toLowerCase()).toContain('connection: close');
    expect(late.received).toContain('"code":"SERVICE_UNAVAILABLE"');
    expect(ran).toEqual([]);
  });
});
