import { execFile } from 'node:child_process';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { migrations } from '../migrations';
import { ConfigurationError, loadConfig } from '../src/config';
import { deriveAccessLogKey, resolveAccessLogKey } from '../src/db/access-log-key';
import {
  grantApplicationRole,
  keyAccessLog,
  setRetentionFloor,
  warnAboutServingRole,
} from '../src/db/access-log-setup';
import { createDataSource } from '../src/db/data-source';
import { openDatabase } from '../src/db/database';
import { loadReferenceData } from '../src/db/reference-data';
import { DataContent } from '../src/domain/enums';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { entities } from '../src/entities';
import {
  type AccessEntry,
  AccessLogService,
  appendAccessLog,
  purgeAccessLog,
  readAnchorFile,
} from '../src/services/access-log.service';
import { ImmigrantNotificationRunService } from '../src/services/immigrant-notification-run.service';
import { NotificationImportService } from '../src/services/import/notification-import.service';
import { MunicipalityService } from '../src/services/municipality.service';
import { applyTestAccessLogKey, testAccessLogKey } from './support/access-log-key';
import { createEmptyDatabase, createTestDatabase } from './support/database';

/**
 * Issue 10, "a log that proves itself": the application role cannot alter the log, and what its owner (or a
 * superuser) does without ACCESS_LOG_KEY is reported by verification with the first bad chain position.
 */

const TODAY = new Date();

function entry(index: number, overrides: Partial<AccessEntry> = {}): AccessEntry {
  return {
    occurredAt: new Date(TODAY.getTime() - (100 - index) * 1000),
    actorKind: 'PERSON',
    actorId: `handler-${index}`,
    organisation: '905',
    dataContent: DataContent.INTEGRATION_SERVICES,
    purpose: 'INTEGRATION_CLIENT_DATA',
    operation: 'notification',
    ...overrides,
  };
}

/** Entries one statement each, as requests write them. */
async function append(dataSource: DataSource, entries: AccessEntry[]): Promise<void> {
  for (const one of entries) await appendAccessLog(dataSource.manager, [one]);
}

/** A connection with the owner's (superuser's) rights but without the key: what a database administrator has. */
async function asOwnerWithoutKey(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const sql of statements) await client.query(sql);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

interface LogDatabase {
  ownerUrl: string;
  owner: DataSource;
  app: DataSource;
  service: AccessLogService;
  anchorFile: string;
  close(): Promise<void>;
}

/** A database of its own with an application role as README shows it: the service writes as that role. */
async function logDatabase(): Promise<LogDatabase> {
  const database = await createTestDatabase();
  const owner = createDataSource({ url: database.url });
  await owner.initialize();
  const role = `kelmu_app_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await owner.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}'`);
  await grantApplicationRole(owner, role);
  const appUrl = new URL(database.url);
  appUrl.username = role;
  appUrl.password = role;
  const app = createDataSource({ url: appUrl.toString() });
  await app.initialize();
  const anchorFile = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-anchor-')),
    'access-log-anchor.json',
  );
  const service = new AccessLogService(app, { flushIntervalMs: 600_000, maxBatch: 500 }, { anchorFile });
  return {
    ownerUrl: database.url,
    owner,
    app,
    service,
    anchorFile,
    async close() {
      await service.close();
      await app.destroy();
      await owner.destroy();
      await database.drop();
      const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
    },
  };
}

/** Verification with the anchor file, as `npm run audit:verify` runs it. */
async function verify(db: LogDatabase) {
  const anchor = readAnchorFile(db.anchorFile);
  return db.service.verify({ anchors: anchor ? [anchor] : [] });
}

let db: LogDatabase;
beforeAll(async () => {
  db = await logDatabase();
  await append(
    db.app,
    [1, 2, 3, 4, 5].map((i) => entry(i)),
  );
});
afterAll(async () => {
  await db?.close();
});

describe('the application role cannot alter the log', () => {
  it.each([
    [
      'DELETE, even with the retention setting',
      ["SET LOCAL kelmu.access_log_retention = 'on'", 'DELETE FROM access_log'],
    ],
    ['TRUNCATE', ['TRUNCATE access_log']],
    ['UPDATE', ["UPDATE access_log SET actor_id = 'someone-else' WHERE chain_seq = 2"]],
    ['DISABLE TRIGGER', ['ALTER TABLE access_log DISABLE TRIGGER access_log_append_only']],
    ['DELETE of the checkpoints', ['DELETE FROM access_log_anchor']],
    ['a shorter retention floor', ['UPDATE access_log_policy SET min_retention_years = 1']],
  ])('%s is refused', async (_name, statements) => {
    await expect(
      db.app.transaction(async (manager) => {
        for (const sql of statements) await manager.query(sql);
      }),
    ).rejects.toThrow(/permission denied|must be owner|append-only/);
    expect(await verify(db)).toEqual({ entries: 5, firstSeq: 1, lastSeq: 5, broken: [] });
  });

  it('a session without the key cannot extend the chain', async () => {
    const client = new pg.Client({ connectionString: db.ownerUrl });
    await client.connect();
    try {
      await expect(
        client.query(
          `INSERT INTO access_log (occurred_at, actor_kind, actor_id, operation, chain_seq, prev_hash, hash)
           VALUES (now(), 'PERSON', 'forger', 'notification', 0, '', '')`,
        ),
      ).rejects.toThrow(/ACCESS_LOG_KEY/);
    } finally {
      await client.end();
    }
  });

  it('the service warns at start-up when it runs as superuser or owner, not as the application role', async () => {
    expect(await warnAboutServingRole(db.owner)).toMatchObject({ superuser: true });
    expect(await warnAboutServingRole(db.app)).toBeUndefined();
  });
});

describe('what the owner does without the key is reported with the first bad position', () => {
  let tampered: LogDatabase;
  beforeAll(async () => {
    tampered = await logDatabase();
  });
  afterAll(async () => {
    await tampered?.close();
  });

  it('removing the first 20 entries, written today', async () => {
    const mark = await lastSeq(tampered.app);
    await append(
      tampered.app,
      Array.from({ length: 25 }, (_, i) => entry(i)),
    );
    expect((await verify(tampered)).broken).toEqual([]);
    await asOwnerWithoutKey(tampered.ownerUrl, [
      "SET LOCAL kelmu.access_log_retention = 'on'",
      `DELETE FROM access_log WHERE chain_seq <= ${mark + 20}`,
    ]);
    const report = await verify(tampered);
    expect(report.broken).toEqual([
      { chainSeq: mark + 21, problem: expect.stringMatching(/removed, not by the retention purge/) },
    ]);
  });
});

describe('tail, rewrite and legitimate purge', () => {
  let tampered: LogDatabase;
  beforeEach(async () => {
    tampered = await logDatabase();
    await append(
      tampered.app,
      Array.from({ length: 10 }, (_, i) => entry(i)),
    );
  });
  afterEach(async () => {
    await tampered?.close();
  });

  it('removing the newest entries is reported against the checkpoint table', async () => {
    await asOwnerWithoutKey(tampered.ownerUrl, [
      "SET LOCAL kelmu.access_log_retention = 'on'",
      'DELETE FROM access_log WHERE chain_seq > 7',
    ]);
    const report = await verify(tampered);
    expect(report.lastSeq).toBe(7);
    expect(report.broken).toEqual([
      { chainSeq: 8, problem: expect.stringMatching(/removed from the end.*position 10/) },
    ]);
  });

  it('removing the newest entries and their checkpoints is still caught by the anchor file', async () => {
    // The service copies the head outside the database after a batch.
    tampered.service.recordRead([entry(11, { operation: 'notifications' })]);
    await tampered.service.flush();
    expect(readAnchorFile(tampered.anchorFile)?.chainSeq).toBe(11);
    await asOwnerWithoutKey(tampered.ownerUrl, [
      "SET LOCAL kelmu.access_log_retention = 'on'",
      'DELETE FROM access_log WHERE chain_seq > 7',
      'ALTER TABLE access_log_anchor DISABLE TRIGGER access_log_anchor_append_only',
      'DELETE FROM access_log_anchor WHERE chain_seq > 7',
      'ALTER TABLE access_log_anchor ENABLE TRIGGER access_log_anchor_append_only',
    ]);
    // The table alone no longer shows it...
    expect((await tampered.service.verify()).broken).toEqual([]);
    // ...the anchor file does.
    expect((await verify(tampered)).broken).toEqual([
      {
        chainSeq: 8,
        problem: expect.stringMatching(/removed from the end.*anchor file records position 11/),
      },
    ]);
  });

  it('a row updated with the triggers off and every later hash recomputed with SHA-256', async () => {
    await asOwnerWithoutKey(tampered.ownerUrl, [
      'ALTER TABLE access_log DISABLE TRIGGER access_log_append_only',
      "UPDATE access_log SET actor_id = 'someone-else' WHERE chain_seq = 4",
      `DO $$ DECLARE r access_log%ROWTYPE; prev bytea; BEGIN
         SELECT hash INTO prev FROM access_log WHERE chain_seq = 3;
         FOR r IN SELECT * FROM access_log WHERE chain_seq >= 4 ORDER BY chain_seq LOOP
           UPDATE access_log SET prev_hash = prev, hash = access_log_hash(prev, r) WHERE id = r.id
           RETURNING hash INTO prev;
         END LOOP;
       END $$`,
      'ALTER TABLE access_log ENABLE TRIGGER access_log_append_only',
    ]);
    const report = await verify(tampered);
    expect(report.broken[0]).toEqual({ chainSeq: 4, problem: expect.stringMatching(/altered/) });
    expect(report.broken.map((b) => b.chainSeq)).toEqual([4, 5, 6, 7, 8, 9, 10, 10]);
  });

  it('a forged retention checkpoint does not excuse a removed prefix', async () => {
    await asOwnerWithoutKey(tampered.ownerUrl, [
      `INSERT INTO access_log_anchor (kind, chain_seq, hash, mac)
       SELECT 'retention', chain_seq, hash, sha256(hash) FROM access_log WHERE chain_seq = 3`,
      "SET LOCAL kelmu.access_log_retention = 'on'",
      'DELETE FROM access_log WHERE chain_seq <= 3',
    ]);
    expect((await verify(tampered)).broken).toEqual([
      { chainSeq: 4, problem: expect.stringMatching(/not by the retention purge/) },
    ]);
  });

  it('the retention purge, run by the application role, still verifies; it cannot ask for less than the floor', async () => {
    const purged = await logDatabase();
    try {
      await setRetentionFloor(purged.owner, 5);
      const yearsAgo = (years: number) => new Date(TODAY.getTime() - years * 366 * 86_400_000);
      await append(purged.app, [
        entry(0, { occurredAt: yearsAgo(7) }),
        entry(0, { occurredAt: yearsAgo(6) }),
        entry(0, { occurredAt: yearsAgo(3) }),
        entry(1),
      ]);
      // Asked for one year as of ten years ahead, it removes only what the owner's five years up to now allow.
      expect(await purgeAccessLog(purged.app, new Date(TODAY.getTime() + 10 * 366 * 86_400_000), 1)).toBe(2);
      expect(await verify(purged)).toEqual({ entries: 2, firstSeq: 3, lastSeq: 4, broken: [] });
      // The chain goes on from what remains.
      await append(purged.app, [entry(3)]);
      expect(await verify(purged)).toEqual({ entries: 3, firstSeq: 3, lastSeq: 5, broken: [] });
    } finally {
      await purged.close();
    }
  });
});

async function lastSeq(dataSource: DataSource): Promise<number> {
  const [row]: { seq: number }[] = await dataSource.query(
    'SELECT coalesce(max(chain_seq), 0)::int AS seq FROM access_log',
  );
  return row?.seq ?? 0;
}

describe('person keys', () => {
  it('are keyed with the secret derived from ACCESS_LOG_KEY, not sha256(salt || code); search by person finds them', async () => {
    const code = fictivePersonalIdentityCode('1961-02-03', 7);
    await append(db.app, [entry(9, { operation: 'accessLog:byPerson', personalIdentityCodes: [code] })]);
    const [row]: { key: Buffer; salt: string }[] = await db.owner.query(
      `SELECT person_keys[1] AS key, (SELECT value FROM app_setting WHERE key = 'ledger_salt') AS salt
         FROM access_log WHERE operation = 'accessLog:byPerson'`,
    );
    const salted = createHash('sha256').update(`${row?.salt}${code}`).digest();
    expect(row?.key.equals(salted)).toBe(false);
    expect(row?.key.equals(createHmac('sha256', testAccessLogKey.person).update(salted).digest())).toBe(true);
  });
});

/**
 * A database as it was before the keyed log: migrated to the unkeyed chain, with entries, a notification ledger and
 * salted person keys. The first start with ACCESS_LOG_KEY keys it.
 */
describe('upgrading a database written before ACCESS_LOG_KEY', () => {
  const code = fictivePersonalIdentityCode('1970-05-06', 11);
  const other = fictivePersonalIdentityCode('1970-05-07', 12);

  async function oldDatabase() {
    const database = await createEmptyDatabase();
    const before = new DataSource({
      type: 'postgres',
      url: database.url,
      entities,
      // The schema as it was then: every migration before the keyed log (later ones build on it).
      migrations: migrations.slice(
        0,
        migrations.findIndex((m) => m.name === 'KeyedAccessLog1795800000000'),
      ),
    });
    await before.initialize();
    await before.runMigrations();
    await loadReferenceData(before.manager);
    const salted = (c: string) =>
      `sha256(convert_to((SELECT value FROM app_setting WHERE key = 'ledger_salt') || '${c}', 'UTF8'))`;
    await before.query(
      `INSERT INTO notification_ledger (person_key, kind, notified_at) VALUES (${salted(code)}, 'IMMIGRANT', now())`,
    );
    for (const [i, codes] of [[], [code], [code, other], []].entries()) {
      await before.query(
        `INSERT INTO access_log (occurred_at, actor_kind, actor_id, operation, person_keys, chain_seq, prev_hash, hash)
         VALUES (now(), 'PERSON', $1, 'notification', ARRAY[${codes.map(salted).join(', ')}]::bytea[], 0, '', '')`,
        [`handler-${i}`],
      );
    }
    await before.destroy();
    const after = createDataSource({ url: database.url });
    await after.initialize();
    await after.runMigrations();
    return {
      dataSource: after,
      url: database.url,
      async close() {
        await after.destroy();
        await database.drop();
      },
    };
  }

  it('verifies the old chain, keys the ledger and the log, re-chains, and enforces one notification per person', async () => {
    const old = await oldDatabase();
    try {
      expect(await keyAccessLog(old.dataSource, testAccessLogKey)).toBe('keyed');
      const service = new AccessLogService(old.dataSource, { flushIntervalMs: 600_000, maxBatch: 10 });
      expect(await service.verify()).toEqual({ entries: 4, firstSeq: 1, lastSeq: 4, broken: [] });
      // Runs once.
      expect(await keyAccessLog(old.dataSource, testAccessLogKey)).toBe('already keyed');
      // A later start with another key is refused.
      await expect(keyAccessLog(old.dataSource, deriveAccessLogKey(Buffer.alloc(32, 7)))).rejects.toThrow(
        /not the key/,
      );

      // The log's person keys are the new keys: a search by person finds the old entries.
      const [found]: { count: number }[] = await old.dataSource.query(
        `SELECT count(*)::int AS count FROM access_log
          WHERE person_keys @> ARRAY[kelmu_person_key($1, (SELECT value FROM app_setting WHERE key = 'ledger_salt'))]`,
        [code],
      );
      expect(found?.count).toBe(2);

      // The ledger still blocks a second notification, through the import and the weekly run.
      const municipalities = new MunicipalityService(old.dataSource);
      await municipalities.refresh();
      const report = await new NotificationImportService(old.dataSource, municipalities).importLines([
        JSON.stringify(importRecord(code, 'upgrade-1')),
        JSON.stringify(importRecord(other, 'upgrade-2')),
      ]);
      expect(report).toMatchObject({ imported: 1, duplicatePerson: [expect.anything()] });

      const third = fictivePersonalIdentityCode('1970-05-08', 13);
      for (const c of [code, third]) {
        await old.dataSource.query(
          `INSERT INTO benefit_person (personal_identity_code, first_names, last_name, date_of_birth, street,
                                       postal_code, post_office, municipality_code, eu_eea_citizen)
           VALUES ($1, 'Test', 'Upgrade', '1970-05-06', 'Kauppapuistikko 1', '65100', 'VAASA', '905', true)`,
          [c],
        );
        await old.dataSource.query(
          `INSERT INTO basic_income_support_decision (personal_identity_code, month)
           VALUES ($1, '2026-10-01'), ($1, '2026-11-01')`,
          [c],
        );
      }
      const run = await new ImmigrantNotificationRunService(old.dataSource).run('2026-11-30');
      // Only the person the old ledger did not know.
      expect(run.created).toBe(1);
    } finally {
      await old.close();
    }
  });

  it('an old log the retention purge had shortened: the chain starts at its retention checkpoint', async () => {
    const old = await oldDatabase();
    try {
      // The old purge: the setting that the old trigger honoured, as the owner.
      await old.dataSource.transaction(async (manager) => {
        await manager.query("SET LOCAL kelmu.access_log_retention = 'on'");
        await manager.query('DELETE FROM access_log WHERE chain_seq <= 1');
      });
      expect(await keyAccessLog(old.dataSource, testAccessLogKey)).toBe('keyed');
      const service = new AccessLogService(old.dataSource, { flushIntervalMs: 600_000, maxBatch: 10 });
      expect(await service.verify()).toEqual({ entries: 3, firstSeq: 2, lastSeq: 4, broken: [] });
      await append(old.dataSource, [entry(5)]);
      expect(await service.verify()).toEqual({ entries: 4, firstSeq: 2, lastSeq: 5, broken: [] });
      await service.close();
    } finally {
      await old.close();
    }
  });

  it('refuses to re-chain an old log that does not verify, naming the first bad position', async () => {
    const old = await oldDatabase();
    try {
      await old.dataSource.transaction(async (manager) => {
        await manager.query('ALTER TABLE access_log DISABLE TRIGGER access_log_append_only');
        await manager.query("UPDATE access_log SET actor_id = 'someone-else' WHERE chain_seq = 2");
        await manager.query('ALTER TABLE access_log ENABLE TRIGGER access_log_append_only');
      });
      await expect(keyAccessLog(old.dataSource, testAccessLogKey)).rejects.toThrow(
        /first bad chain position 2/,
      );
      // Nothing was changed: the old ledger key is still the salted hash.
      const [row]: { salted: boolean }[] = await old.dataSource.query(
        `SELECT person_key = sha256(convert_to((SELECT value FROM app_setting WHERE key = 'ledger_salt') || $1, 'UTF8')) AS salted
           FROM notification_ledger`,
        [code],
      );
      expect(row?.salted).toBe(true);
    } finally {
      await old.close();
    }
  });
});

function importRecord(personalIdentityCode: string, sourceId: string) {
  return {
    sourceId,
    kind: 'IMMIGRANT',
    municipalityCode: '905',
    createdAt: '2026-10-30T10:15:00+02:00',
    additionalInfo: null,
    person: {
      personalIdentityCode,
      firstNames: 'Test',
      lastName: 'Upgrade',
      dateOfBirth: `19${personalIdentityCode.slice(4, 6)}-${personalIdentityCode.slice(2, 4)}-${personalIdentityCode.slice(0, 2)}`,
      nativeLanguage: 'ar',
      citizenship: 'SYR',
      phoneNumber: null,
      firstResidencePermitStart: '2025-03-01',
      euEeaCitizen: false,
      address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
    },
  };
}

describe('ACCESS_LOG_KEY', () => {
  it('is at least 32 bytes, hex or base64; a shorter or malformed one is a configuration error naming it', () => {
    const hex = 'ab'.repeat(32);
    const base64 = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ ACCESS_LOG_KEY: hex }).accessLogKey?.equals(Buffer.from(hex, 'hex'))).toBe(true);
    expect(loadConfig({ ACCESS_LOG_KEY: base64 }).accessLogKey?.equals(Buffer.alloc(32, 9))).toBe(true);
    for (const bad of ['ab'.repeat(31), 'not a key!', Buffer.alloc(31).toString('base64')]) {
      expect(() => loadConfig({ ACCESS_LOG_KEY: bad })).toThrow(/ACCESS_LOG_KEY: at least 32 random bytes/);
    }
  });

  it('production refuses to start without it; development keeps a generated one in DATA_DIR', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-key-'));
    expect(() =>
      resolveAccessLogKey({ environment: 'production', accessLogKey: undefined, dataDir }),
    ).toThrow(ConfigurationError);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    const first = resolveAccessLogKey({ environment: 'development', accessLogKey: undefined, dataDir });
    const again = resolveAccessLogKey({ environment: 'development', accessLogKey: undefined, dataDir });
    expect(again.chain.equals(first.chain)).toBe(true);
    expect((fs.statSync(path.join(dataDir, 'access-log-key')).mode & 0o777).toString(8)).toBe('600');
    // The two derived keys differ from each other and from the master key.
    const master = Buffer.from(fs.readFileSync(path.join(dataDir, 'access-log-key'), 'utf8'), 'hex');
    expect(first.chain.equals(first.person)).toBe(false);
    expect(first.chain.equals(master)).toBe(false);
  });
});

describe('openDatabase with an owner and an application role (DATABASE_OWNER_URL, DATABASE_URL)', () => {
  it('migrates and keys as the owner, grants the application role, and serves as it', async () => {
    const database = await createEmptyDatabase();
    const role = `kelmu_app_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}'`);
    const appUrl = new URL(database.url);
    appUrl.username = role;
    appUrl.password = role;
    const config = loadConfig({
      DATABASE_URL: appUrl.toString(),
      DATABASE_OWNER_URL: database.url,
      ACCESS_LOG_RETENTION_YEARS: '6',
      ACCESS_LOG_KEY: 'cd'.repeat(32),
      LOG_LEVEL: 'silent',
    });
    const opened = await openDatabase(config);
    try {
      const [who]: { role: string }[] = await opened.dataSource.query('SELECT current_user AS role');
      expect(who?.role).toBe(role);
      expect(await warnAboutServingRole(opened.dataSource)).toBeUndefined();
      // The application role writes and verifies the log, and cannot remove it.
      await append(opened.dataSource, [entry(1), entry(2)]);
      const service = new AccessLogService(opened.dataSource);
      expect(await service.verify()).toEqual({ entries: 2, firstSeq: 1, lastSeq: 2, broken: [] });
      await service.close();
      await expect(opened.dataSource.query('DELETE FROM access_log')).rejects.toThrow(/permission denied/);
      const [floor]: { years: number }[] = await opened.dataSource.query(
        'SELECT min_retention_years AS years FROM access_log_policy',
      );
      expect(floor?.years).toBe(6);
    } finally {
      await opened.close();
      // openDatabase made its key the process's: give the other tests theirs back.
      applyTestAccessLogKey();
      await database.drop();
      await admin.query(`DROP ROLE ${role}`).finally(() => admin.end());
    }
  });
});

describe('the anchor file', () => {
  it('is written at shutdown also when the last write was a change, not a batch', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-anchor-'));
    const anchorFile = path.join(dir, 'access-log-anchor.json');
    const service = new AccessLogService(db.app, { flushIntervalMs: 600_000, maxBatch: 500 }, { anchorFile });
    await db.app.transaction((manager) =>
      appendAccessLog(manager, [entry(50, { operation: 'MOVE_TO_PROCESSING' })]),
    );
    const head = await lastSeq(db.app);
    expect(readAnchorFile(anchorFile)).toBeUndefined();
    await service.close();
    const anchor = readAnchorFile(anchorFile);
    expect(anchor).toMatchObject({ chainSeq: head, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await db.service.verify({ anchors: anchor ? [anchor] : [] })).broken).toEqual([]);
  });
});

describe('npm run audit:verify against the anchor file in DATA_DIR', () => {
  function auditVerify(databaseUrl: string, dataDir: string) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/audit-verify.ts'],
        {
          cwd: path.resolve(__dirname, '..'),
          env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
          timeout: 120_000,
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
        },
      );
    });
  }

  it('exits 1 naming the first removed position when the newest entries and their checkpoints are gone', {
    timeout: 240_000,
  }, async () => {
    const tampered = await logDatabase();
    try {
      const dataDir = path.dirname(tampered.anchorFile);
      tampered.service.recordRead(Array.from({ length: 6 }, (_, i) => entry(i)));
      await tampered.service.flush();
      const clean = await auditVerify(tampered.ownerUrl, dataDir);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stdout).toMatch(/6 entries.*all verify.*Anchor file: position 6/);

      await asOwnerWithoutKey(tampered.ownerUrl, [
        "SET LOCAL kelmu.access_log_retention = 'on'",
        'DELETE FROM access_log WHERE chain_seq > 4',
        'ALTER TABLE access_log_anchor DISABLE TRIGGER access_log_anchor_append_only',
        'DELETE FROM access_log_anchor',
        'ALTER TABLE access_log_anchor ENABLE TRIGGER access_log_anchor_append_only',
      ]);
      const report = await auditVerify(tampered.ownerUrl, dataDir);
      expect(report.code).toBe(1);
      expect(report.stderr).toMatch(/entry 5: entries removed from the end/);
      expect(report.stdout).toMatch(/the first at position 5/);
    } finally {
      await tampered.close();
    }
  });
});
