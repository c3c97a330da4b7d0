import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';

export const ROOT = path.resolve(__dirname, '../..');

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

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

export async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * One of the service's commands (`src/main.ts`, `src/cli/worker.ts`, …) as a child process in a process group of its
 * own, as a user or a process manager starts it, with its JSON log lines and standard error collected.
 */
export class ServiceProcess {
  readonly lines: LogLine[] = [];
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    args: string[] = [],
  ) {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    readline.createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.stdout.push(line);
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logged(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  /** Waits for a log line; fails at once if the process exits first. */
  waitFor(msg: string, timeoutMs = 60_000): Promise<void> {
    return poll(`${this.name}: "${msg}"`, timeoutMs, async () => {
      if (!this.running) throw new Error(`${this.name} exited: ${this.stderr.join('').slice(-2_000)}`);
      return this.logged(msg).length > 0;
    }).catch((error: unknown) => {
      throw new Error(
        `${String(error)}\n${this.name} stderr: ${this.stderr.join('').slice(-2_000)}\nlog: ${this.stdout.slice(-20).join('\n')}`,
      );
    });
  }

  /** Signals the process group and waits for the exit (SIGKILL to the group after the timeout). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) {
    if (!this.running) return this.exited;
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-(this.child.pid as number), signal);
    } catch {
      // already gone
    }
  }
}

/** Runs a command to its end; resolves with its exit code and output. */
export function runCommand(
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
