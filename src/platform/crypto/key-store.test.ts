import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { initKeys, loadKeyStore, rotateIssuerKey } from './key-store.js';

describe('key store', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'amparo-keys-'));
    dirs.push(dir);
    return path.join(dir, 'keys');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates owner-only key files and loads them back', () => {
    const dir = freshDir();
    const { created } = initKeys(dir);
    expect(created).toHaveLength(5);
    const keys = loadKeyStore(dir);
    expect(keys.masterKey).toHaveLength(32);
    expect(keys.currentIssuerKid).toMatch(/^[0-9a-f]{16}$/);
    expect(keys.issuerKeys.map((key) => key.kid)).toEqual([keys.currentIssuerKid]);
    expect(keys.auditSigning.kid).not.toBe(keys.currentIssuerKid);
    expect(keys.trustListSigning.kid).not.toBe(keys.auditSigning.kid);
  });

  it('refuses to overwrite existing keys', () => {
    const dir = freshDir();
    initKeys(dir);
    expect(() => initKeys(dir)).toThrow(/refusing to overwrite/);
  });

  it('refuses a world- or group-readable key file, naming it', () => {
    const dir = freshDir();
    initKeys(dir);
    chmodSync(path.join(dir, 'master.key'), 0o644);
    expect(() => loadKeyStore(dir)).toThrow(ConfigError);
    expect(() => loadKeyStore(dir)).toThrow(/master\.key has mode 644/);
  });

  it('refuses a master key of the wrong length, from a file or the environment', () => {
    const dir = freshDir();
    initKeys(dir);
    writeFileSync(path.join(dir, 'master.key'), Buffer.alloc(16).toString('base64'), {
      mode: 0o600,
    });
    expect(() => loadKeyStore(dir)).toThrow(/32 bytes/);
    const good = Buffer.alloc(32, 7).toString('base64');
    expect(loadKeyStore(dir, good).masterKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(() => loadKeyStore(dir, 'short')).toThrow(/AMPARO_MASTER_KEY/);
  });

  it('rotates the issuer key: the new one is current, the old one stays loadable', () => {
    const dir = freshDir();
    initKeys(dir);
    const before = loadKeyStore(dir);
    const { kid, previousKid } = rotateIssuerKey(dir);
    const after = loadKeyStore(dir);
    expect(previousKid).toBe(before.currentIssuerKid);
    expect(after.currentIssuerKid).toBe(kid);
    expect(kid).not.toBe(previousKid);
    expect(after.issuerKeys.map((key) => key.kid).sort()).toEqual([kid, previousKid].sort());
  });

  it('names a missing keys directory', () => {
    expect(() => loadKeyStore(path.join(freshDir(), 'nope'))).toThrow(/amparo keys init/);
  });
});
