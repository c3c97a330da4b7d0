import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataContent } from '../src/domain/enums';
import { startTestApp, type TestApp } from './support/app';
import { runCommand } from './support/processes';

/** `npm run -s token`, as a script captures it: standard output is a pipe, not a terminal. */
let app: TestApp;
let dataDir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  app = await startTestApp();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-token-'));
  const { url } = app.dataSource.options as { url?: string };
  env = { DATA_DIR: dataDir, DATABASE_URL: String(url), NODE_ENV: 'development' };
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const token = (args: string[]) => runCommand('src/cli/token.ts', env, args);

describe('npm run -s token', () => {
  it('prints the token alone when its output is captured, with every issue in every municipality', async () => {
    const result = await token([
      '--municipality',
      '905',
      '--municipality',
      '499',
      '--issue',
      'INTEGRATION_CLIENT_DATA',
      '--issue',
      'ACCESS_LOG_REVIEW',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(decodeJwt(result.stdout.trim()).mandates).toEqual([
      { municipality: '905', issues: ['INTEGRATION_CLIENT_DATA', 'ACCESS_LOG_REVIEW'] },
      { municipality: '499', issues: ['INTEGRATION_CLIENT_DATA', 'ACCESS_LOG_REVIEW'] },
    ]);
  });

  it('refuses a code that is no municipality, an unknown issue and a lifetime it cannot read, saying which and why', async () => {
    const unknown = await token(['--municipality', '999']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^--municipality: "999" is not the code of any of the 308 municipalities/);
    expect(unknown.stdout).toBe('');

    const issue = await token(['--municipality', '905', '--issue', 'EVERYTHING']);
    expect(issue.code).toBe(2);
    expect(issue.stderr).toMatch(/^--issue: "EVERYTHING" is not a mandate issue/);

    const forever = await token(['--municipality', '905', '--expires-in', 'forever']);
    expect(forever.code).toBe(2);
    expect(forever.stderr).toMatch(/^--expires-in: "forever" is not a lifetime/);
    expect(forever.stderr).toMatch(/Usage: npm run -s token/);
    expect(forever.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);

    const tooLong = await token(['--municipality', '905', '--expires-in', '30d']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/The service would refuse this token: .*lifetime/);
  }, 60_000);

  it("mints a partner system's token for a client with an agreement in force, and refuses one without", async () => {
    await app.server.services.agreements.add({
      clientId: 'token-command-crm',
      organisationName: 'Vaasan kaupunki',
      businessId: '0209602-6',
      legalBasis: 'Laki kotoutumisen edistämisestä 1386/2010',
      dataContents: [DataContent.INTEGRATION_SERVICES],
      municipalityCodes: ['905'],
      validFrom: '2026-01-01',
      validTo: null,
    });
    const partner = await token(['--client-id', 'token-command-crm']);
    expect(partner.code).toBe(0);
    const claims = decodeJwt(partner.stdout.trim());
    expect(claims).toMatchObject({ client_id: 'token-command-crm', sub: 'token-command-crm' });
    expect(claims.mandates).toBeUndefined();

    const stranger = await token(['--client-id', 'nobody-crm']);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/client "nobody-crm" has no agreement in force; register one first/);

    const mixed = await token(['--client-id', 'token-command-crm', '--municipality', '905']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^--client-id: .*--municipality belongs to a person's token/);
  }, 60_000);
});
