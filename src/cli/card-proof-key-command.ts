import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AuditLog } from '../modules/audit/index.js';
import { proofKeyRotator } from '../modules/distribution/index.js';
import { loadKeyStore } from '../platform/crypto/key-store.js';
import { openAppDatabase } from '../platform/db/database.js';

/** Where the command reads settings and writes its report; tests pass their own. */
export interface ProofKeyCliContext {
  env: NodeJS.ProcessEnv;
  write(text: string): void;
}

/**
 * `amparo keys rotate-card-proof`: makes the next version of the offline card-proof key current
 * (src/modules/distribution/offline/proof-key-versions.ts), audited as `distribution.proof_key_rotate`. The master key does not
 * change; no restart is needed — the next snapshot publishes the new key, and proofs sealed to
 * the previous version keep opening while its snapshots' window lasts
 * (`AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS`, 30 by default: the command reads the server's settings,
 * so it reports the window the sync applies). Administrators do the same in the console
 * (`/card-proof-key`), which also lists the versions.
 *
 * @example
 * // $ amparo keys rotate-card-proof
 * // Offline card proofs: version 2 (key 3f9a…) is current; version 1 opens until …
 */
export function registerRotateCardProofCommand(
  keys: Command,
  context: ProofKeyCliContext = {
    env: process.env,
    write: (text) => process.stdout.write(text),
  },
): void {
  keys
    .command('rotate-card-proof')
    .description(
      'make a new offline card-proof key version current; receipts sealed to the previous one still sync while its snapshots are within their window',
    )
    .action(async () => {
      const config = loadConfig(context.env);
      const keyStore = loadKeyStore(config.keysDir, config.masterKeyBase64);
      const handle = await openAppDatabase(config.database);
      const audit = await AuditLog.open({ db: handle.db, keys: keyStore });
      try {
        const rotated = await proofKeyRotator(
          { db: handle.db, keys: keyStore, audit },
          { now: new Date(), requestId: `cli:${randomUUID()}`, by: 'command_line' },
        );
        // The window the server applies (AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS, read as it reads it).
        const days = config.distribution.offlineProofKeyOpenMs / 86_400_000;
        context.write(
          `Offline card proofs: version ${rotated.version} (key ${rotated.kid}) is current for the next snapshots; version ${rotated.previousVersion} keeps opening until ${days} days after the last snapshot that published it expires (no longer, if none did).\n`,
        );
      } finally {
        await audit.close();
        await handle.close();
      }
    });
}
