import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source';
import { personKeySql } from '../src/db/person-key';
import { DataContent } from '../src/domain/enums';
import { type AccessEntry, AccessLogService } from '../src/services/access-log.service';
import {
  accessLogSpoolFile,
  replayAccessLogSpool,
  spoolAccessEntries,
} from '../src/services/access-log-spool';
import { createTestDatabase } from './support/database';

/** A TCP relay to PostgreSQL that the test can cut, as a network failure or a stopped external database would. */
async function relay(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port), target.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    cut: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function read(actorId: string, minute: number): AccessEntry {
  return {
    occurredAt: new Date(Date.UTC(2026, 0, 5, 9, minute)),
    actorKind: 'PERSON',
    actorId,
    organisation: '905',
    dataContent: DataContent.INTEGRATION_SERVICES,
    purpose: 'INTEGRATION_CLIENT_DATA',
    operation: 'notifications',
    notificationIds: [],
    personalIdentityCodes: ['010190-900P'],
  };
}

describe('access log entries the database cannot take at shutdown', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url });
    await dataSource.initialize();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-spool-'));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const logged = async (actorId: string) =>
    (
      await dataSource.query<{ occurred_at: Date }[]>(
        'SELECT occurred_at FROM access_log WHERE actor_id = $1 ORDER BY occurred_at',
        [actorId],
      )
    ).map((row) => row.occurred_at.toISOString());

  it('are spooled to DATA_DIR and written, each once, before the next start serves', async () => {
    const { url, cut } = await relay(new URL(database.url));
    const away = createDataSource({ url, connectionTimeoutMs: 1000 });
    await away.initialize();
    const accessLog = new AccessLogService(away, { flushIntervalMs: 600_000, maxBatch: 500 });
    accessLog.recordRead([read('handler-spool', 1), read('handler-spool', 2), read('handler-spool', 3)]);
    await cut();

    // The shutdown's steps: the last flush fails and keeps the entries; they go to the spool.
    await accessLog.close();
    const unwritten = accessLog.takeUnwritten();
    expect(unwritten).toHaveLength(3);
    const file = accessLogSpoolFile(dataDir);
    spoolAccessEntries(file, unwritten);
    await away.destroy().catch(() => {});
    expect(await logged('handler-spool')).toEqual([]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // The next start.
    expect(await replayAccessLogSpool(dataSource, file)).toBe(3);
    expect(await logged('handler-spool')).toEqual([
      '2026-01-05T09:01:00.000Z',
      '2026-01-05T09:02:00.000Z',
      '2026-01-05T09:03:00.000Z',
    ]);
    // Searchable by person like any other entry: the code was keyed on the way in.
    const [byPerson] = await dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM access_log
        WHERE actor_id = 'handler-spool'
          AND person_keys @> ARRAY[${personKeySql("'010190-900P'")}]`,
    );
    expect(Number(byPerson?.count)).toBe(3);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    // And once only.
    expect(await replayAccessLogSpool(dataSource, file)).toBe(0);
    expect(await logged('handler-spool')).toHaveLength(3);
    const report = await new AccessLogService(dataSource).verify();
    expect(report.broken).toEqual([]);
  });

  it('carries the social-care notices an entry names through the spool, into the MAC-ed content', async () => {
    const file = accessLogSpoolFile(dataDir);
    const noticeId = '6f1c2a7e-3b1d-4c55-9a2e-5d7f0b9c1e42';
    spoolAccessEntries(file, [
      {
        ...read('handler-social-care-spool', 6),
        organisation: 'PO',
        dataContent: DataContent.SOCIAL_ASSISTANCE,
        purpose: 'SOCIAL_ASSISTANCE_CLIENT_DATA',
        operation: 'socialCareNotices',
        socialCareNoticeIds: [noticeId],
      },
    ]);
    expect(await replayAccessLogSpool(dataSource, file)).toBe(1);
    const rows = await dataSource.query<{ organisation: string; social_care_notice_ids: string[] }[]>(
      "SELECT organisation, social_care_notice_ids FROM access_log WHERE actor_id = 'handler-social-care-spool'",
    );
    expect(rows).toEqual([{ organisation: 'PO', social_care_notice_ids: [noticeId] }]);
    expect((await new AccessLogService(dataSource).verify()).broken).toEqual([]);
  });

  it('keeps a line cut short by a crash aside, and writes the rest', async () => {
    const file = accessLogSpoolFile(dataDir);
    spoolAccessEntries(file, [read('handler-cut', 4)]);
    fs.appendFileSync(file, '{"occurredAt":"2026-01-05T09:05:00.000Z","actorK');
    expect(await replayAccessLogSpool(dataSource, file)).toBe(1);
    expect(await logged('handler-cut')).toEqual(['2026-01-05T09:04:00.000Z']);
    expect(fs.readFileSync(`${file}.rejected`, 'utf8')).toContain('"actorK');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('stay spooled when the database cannot take them at start either', async () => {
    const file = accessLogSpoolFile(dataDir);
    spoolAccessEntries(file, [read('handler-later', 6)]);
    const { url, cut } = await relay(new URL(database.url));
    const away = createDataSource({ url, connectionTimeoutMs: 1000 });
    await away.initialize();
    await cut();
    await expect(replayAccessLogSpool(away, file)).rejects.toThrow();
    await away.destroy().catch(() => {});
    expect(await replayAccessLogSpool(dataSource, file)).toBe(1);
    expect(await logged('handler-later')).toEqual(['2026-01-05T09:06:00.000Z']);
  });
});
