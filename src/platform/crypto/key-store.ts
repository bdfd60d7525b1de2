import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { limits } from '../../limits.js';
import { ConfigError } from '../errors.js';

/**
 * Key material, held outside the database and the repository. A development layout under
 * `keysDir` (created by `amparo keys init`):
 *
 *   master.key                  32 random bytes, base64: wraps per-person data keys
 *   audit-signing.pem           Ed25519 private key: signs audit tree heads
 *   trust-list-signing.pem      Ed25519 private key: signs the trust and revocation lists that
 *                               offline verifiers download (rarely used; can live offline)
 *   issuer/<kid>.pem            Ed25519 private keys: sign credentials (one per rotation)
 *   issuer/current              the kid new credentials are signed with
 *
 * Every file must be readable by its owner only; start-up refuses anything looser.
 */
export interface KeyStore {
  masterKey: Buffer;
  auditSigning: SigningKey;
  trustListSigning: SigningKey;
  issuerKeys: SigningKey[];
  currentIssuerKid: string;
}

export interface SigningKey {
  /** First 8 bytes of SHA-256 of the raw public key, hex. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export const masterKeyBytes = 32;

/** Creates development key material; refuses to overwrite existing keys. */
export function initKeys(keysDir: string): { created: string[] } {
  if (existsSync(path.join(keysDir, 'master.key'))) {
    throw new ConfigError(
      'AMPARO_KEYS_DIR',
      `${keysDir} already holds keys; refusing to overwrite them`,
    );
  }
  mkdirSync(path.join(keysDir, 'issuer'), { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const write = (name: string, content: string) => {
    const file = path.join(keysDir, name);
    writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
    created.push(file);
  };
  write('master.key', `${randomBytes(masterKeyBytes).toString('base64')}\n`);
  write('audit-signing.pem', newEd25519Pem());
  write('trust-list-signing.pem', newEd25519Pem());
  const issuerPem = newEd25519Pem();
  const kid = kidOf(createPublicKey(createPrivateKey(issuerPem)));
  write(path.join('issuer', `${kid}.pem`), issuerPem);
  write(path.join('issuer', 'current'), `${kid}\n`);
  return { created };
}

/**
 * Rotates the credential signing key: writes a new issuer key beside the old ones and makes it
 * current. New cards are signed with it after the next start; old keys stay, so cards they
 * signed keep verifying until their own expiry (the trust list records each key's period).
 *
 * @example
 *   const { kid } = rotateIssuerKey('./data/keys'); // then restart the server
 */
export function rotateIssuerKey(keysDir: string): { kid: string; previousKid: string } {
  const previousKid = loadKeyStore(keysDir).currentIssuerKid;
  const pem = newEd25519Pem();
  const kid = kidOf(createPublicKey(createPrivateKey(pem)));
  const issuerDir = path.join(keysDir, 'issuer');
  writeFileSync(path.join(issuerDir, `${kid}.pem`), pem, { mode: 0o600, flag: 'wx' });
  // Written beside, then renamed: a crash never leaves `current` naming a missing key.
  const currentFile = path.join(issuerDir, 'current');
  writeFileSync(`${currentFile}.next`, `${kid}\n`, { mode: 0o600 });
  renameSync(`${currentFile}.next`, currentFile);
  return { kid, previousKid };
}

export function keysExist(keysDir: string): boolean {
  return existsSync(path.join(keysDir, 'master.key'));
}

/**
 * Loads and checks every key. `masterKeyBase64` (from the environment) replaces the file.
 *
 * @example
 *   const keys = loadKeyStore('./data/keys');
 *   keys.currentIssuerKid; // '3f9a…' (16 hex digits)
 */
export function loadKeyStore(keysDir: string, masterKeyBase64?: string): KeyStore {
  if (!existsSync(keysDir)) {
    throw new ConfigError('AMPARO_KEYS_DIR', `${keysDir} does not exist (run: amparo keys init)`);
  }
  const masterKey = decodeMasterKey(
    masterKeyBase64 ?? readKeyFile(path.join(keysDir, 'master.key')),
    masterKeyBase64 ? 'AMPARO_MASTER_KEY' : 'AMPARO_KEYS_DIR',
  );
  const auditSigning = signingKeyFrom(readKeyFile(path.join(keysDir, 'audit-signing.pem')));
  const trustListSigning = signingKeyFrom(
    readKeyFile(path.join(keysDir, 'trust-list-signing.pem')),
  );
  const issuerDir = path.join(keysDir, 'issuer');
  const issuerKeys = readdirSync(issuerDir)
    .filter((name) => name.endsWith('.pem'))
    .sort()
    .map((name) => signingKeyFrom(readKeyFile(path.join(issuerDir, name))));
  const currentIssuerKid = readKeyFile(path.join(issuerDir, 'current')).trim();
  if (!issuerKeys.some((key) => key.kid === currentIssuerKid)) {
    throw new ConfigError(
      'AMPARO_KEYS_DIR',
      `issuer/current names ${currentIssuerKid}, which has no key file`,
    );
  }
  return { masterKey, auditSigning, trustListSigning, issuerKeys, currentIssuerKid };
}

/** The kid of an Ed25519 public key: first 8 bytes of SHA-256 of its raw 32 bytes. */
export function kidOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return createHash('sha256').update(raw).digest().subarray(0, 8).toString('hex');
}

/** Reads a key file after checking it is a small regular file readable by its owner only. */
function readKeyFile(file: string): string {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(file);
  } catch {
    throw new ConfigError('AMPARO_KEYS_DIR', `${file} is missing or unreadable`);
  }
  if (!stats.isFile()) throw new ConfigError('AMPARO_KEYS_DIR', `${file} is not a regular file`);
  if ((stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8);
    throw new ConfigError(
      'AMPARO_KEYS_DIR',
      `${file} has mode ${mode}; key files must be 0600 or 0400 (chmod 600 ${file})`,
    );
  }
  if (stats.size > limits.keys.keyFileBytesMax) {
    throw new ConfigError('AMPARO_KEYS_DIR', `${file} is larger than any key file Amparo writes`);
  }
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError('AMPARO_KEYS_DIR', `${file} is unreadable`);
  }
}

function decodeMasterKey(text: string, setting: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== masterKeyBytes) {
    throw new ConfigError(setting, `the master key must be ${masterKeyBytes} bytes of base64`);
  }
  return key;
}

function signingKeyFrom(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError('AMPARO_KEYS_DIR', 'a signing key file is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError('AMPARO_KEYS_DIR', 'signing keys must be Ed25519');
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: kidOf(publicKey), privateKey, publicKey };
}

function newEd25519Pem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}
