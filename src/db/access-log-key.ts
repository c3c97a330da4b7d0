import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type AppConfig, ConfigurationError } from '../config';

/**
 * The access log's keys, derived from ACCESS_LOG_KEY with HKDF: `chain` MACs the log's entries and checkpoints,
 * `person` keys the person keys of the log and the notification ledger. Neither is ever stored in the database.
 */
export interface AccessLogKey {
  chain: Buffer;
  person: Buffer;
}

export function deriveAccessLogKey(master: Buffer): AccessLogKey {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return { chain: derive('kelmu access log chain v1'), person: derive('kelmu person key v1') };
}

/** The file in DATA_DIR where development and tests keep their generated key. */
export const DEVELOPMENT_KEY_FILE = 'access-log-key';

/**
 * ACCESS_LOG_KEY, or in development and tests a generated key kept in DATA_DIR (like the development signing key) so
 * that the log verifies across restarts. Production refuses to start without it.
 */
export function resolveAccessLogKey(config: Pick<AppConfig, 'accessLogKey' | 'environment' | 'dataDir'>) {
  if (config.accessLogKey) return deriveAccessLogKey(config.accessLogKey);
  if (config.environment === 'production') {
    throw new ConfigurationError(
      'ACCESS_LOG_KEY is required when NODE_ENV=production: the access log is chained and person keys are keyed with it (at least 32 random bytes, hex or base64).',
    );
  }
  const file = path.join(config.dataDir, DEVELOPMENT_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return deriveAccessLogKey(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex'));
}

/** HMAC-SHA256's inner and outer pads of a key of at most 64 bytes, hex: what SQL needs to compute the MAC. */
function pads(key: Buffer): { ipad: string; opad: string } {
  const block = Buffer.alloc(64);
  key.copy(block);
  return {
    ipad: Buffer.from(block.map((byte) => byte ^ 0x36)).toString('hex'),
    opad: Buffer.from(block.map((byte) => byte ^ 0x5c)).toString('hex'),
  };
}

/**
 * The connection's startup `options`: the pads as session settings of that connection only (no other session, and
 * no statement text or log line, sees them). The chain trigger, the purge and `kelmu_person_key` read them.
 */
export function sessionOptions(key: AccessLogKey): string {
  const chain = pads(key.chain);
  const person = pads(key.person);
  return [
    `-c kelmu.chain_ipad=${chain.ipad}`,
    `-c kelmu.chain_opad=${chain.opad}`,
    `-c kelmu.person_ipad=${person.ipad}`,
    `-c kelmu.person_opad=${person.opad}`,
  ].join(' ');
}

/** A checkpoint's MAC, as SQL's access_log_anchor_mac computes it. */
export function anchorMac(key: AccessLogKey, kind: string, chainSeq: number, hash: Buffer): Buffer {
  return createHmac('sha256', key.chain)
    .update(`${kind}|${chainSeq}|${hash.toString('hex')}`)
    .digest();
}

/** Stored in app_setting once the log is keyed: a later start with another key is refused rather than mis-chained. */
export function keyCheck(key: AccessLogKey): string {
  return createHmac('sha256', key.chain).update('kelmu access log key check').digest('hex');
}

let processKey: AccessLogKey | undefined;

/** The key data sources get unless given one (set by openDatabase; tests set theirs in a setup file). */
export function setProcessAccessLogKey(key: AccessLogKey | undefined): void {
  processKey = key;
}

export function currentAccessLogKey(): AccessLogKey | undefined {
  return processKey;
}
