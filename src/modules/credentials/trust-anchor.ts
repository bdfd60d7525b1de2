import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { type KeyStore, loadKeyStore } from '../../platform/crypto/key-store.js';

/**
 * The trust anchor: the Ed25519 public key that signs the trust and revocation lists, which
 * every offline verifier pins (`amparo verify --trust-anchor HEX`, the console's verifier). It
 * is a public key, so it is printed at start, served at `GET /api/credentials/trust-anchor`
 * and printed by `amparo keys show-anchor`. A verifier set up far from the server should
 * compare it with one of the other two, since a list and an anchor fetched over the same
 * connection prove nothing about that connection.
 */
export interface TrustAnchor {
  /** The raw 32-byte public key, 64 lower-case hex digits. */
  anchor: string;
  /** First 8 bytes of SHA-256 of the key (the `kid` in the lists' signatures). */
  kid: string;
  alg: 'EdDSA';
}

/** The raw key is the last 32 bytes of an Ed25519 SPKI encoding (a fixed 12-byte prefix). */
const ed25519RawKeyBytes = 32;

/**
 * @example
 * trustAnchorOf(keys).anchor; // 'd75a9801…' (64 hex digits)
 */
export function trustAnchorOf(keys: Pick<KeyStore, 'trustListSigning'>): TrustAnchor {
  const spki = keys.trustListSigning.publicKey.export({ format: 'der', type: 'spki' });
  return {
    anchor: spki.subarray(-ed25519RawKeyBytes).toString('hex'),
    kid: keys.trustListSigning.kid,
    alg: 'EdDSA',
  };
}

/** The console address that opens the verifier with the anchor filled in. */
export function verifierSetupPath(anchor: string): string {
  return `/verify?anchor=${anchor}`;
}

/** Where `amparo keys show-anchor` reads settings and writes; tests pass their own. */
export interface ShowAnchorContext {
  env: NodeJS.ProcessEnv;
  write(text: string): void;
}

/**
 * `amparo keys show-anchor [--json]`: prints the trust anchor from the key store named by the
 * environment (AMPARO_KEYS_DIR). Plain output is the 64 hex digits alone, for scripts
 * (`AMPARO_TRUST_ANCHOR=$(amparo keys show-anchor)`).
 *
 * @example
 * registerShowAnchorCommand(program.command('keys'));
 */
export function registerShowAnchorCommand(
  keys: Command,
  context: ShowAnchorContext = {
    env: process.env,
    write: (text) => process.stdout.write(text),
  },
): void {
  keys
    .command('show-anchor')
    .description('print the trust anchor (public key that signs the trust list) for verifiers')
    .option('--json', 'print anchor, kid and algorithm as JSON')
    .action((flags: { json?: boolean }) => {
      const config = loadConfig(context.env);
      const anchor = trustAnchorOf(loadKeyStore(config.keysDir, config.masterKeyBase64));
      context.write(flags.json ? `${JSON.stringify(anchor, null, 2)}\n` : `${anchor.anchor}\n`);
    });
}
