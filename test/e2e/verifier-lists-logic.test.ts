import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendRevocations,
  deltaSince,
  emptyRevocationList,
  RevocationState,
  signRevocationList,
} from '../../src/modules/credentials/revocation-list.js';
import { relativeAge } from '../../web/src/features/verifier/list-age.js';
import {
  BrowserRevocations,
  readRevocationList,
} from '../../web/src/features/verifier/revocation-list-reader.js';
import { createTestKeyStore } from '../keys.js';

/**
 * The browser's revocation-list reader against lists the credentials module signs: a full list
 * plus deltas gives the same answers as the server's `RevocationState`, and a list signed with
 * another key or altered after signing is refused.
 */
const keys = createTestKeyStore();
const anchorHex = Buffer.from(
  keys.trustListSigning.publicKey.export({ format: 'der', type: 'spki' }),
)
  .subarray(-32)
  .toString('hex');
const signed = (list: Parameters<typeof signRevocationList>[0]) =>
  JSON.stringify(signRevocationList(list, keys.trustListSigning));

describe('browser revocation list', () => {
  it('agrees with RevocationState on a base list plus a delta', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        async (a, b) => {
          const ids = Array.from({ length: a + b + 2 }, () => new Uint8Array(randomBytes(16)));
          const base = appendRevocations(
            emptyRevocationList(1_800_000_000),
            ids.slice(0, a).map((credentialId) => ({ credentialId, reason: 'lost' as const })),
            1_800_000_000,
          );
          const next = appendRevocations(
            base,
            ids
              .slice(a, a + b)
              .map((credentialId) => ({ credentialId, reason: 'stolen' as const })),
            1_800_000_100,
          );
          const server = new RevocationState(base);
          server.apply(deltaSince(next, base.version));
          const browser = new BrowserRevocations(await readRevocationList(signed(base), anchorHex));
          expect(
            browser.apply(
              await readRevocationList(signed(deltaSince(next, base.version)), anchorHex),
            ),
          ).toBe(true);
          expect(browser.version).toBe(server.version);
          for (const id of ids) {
            expect(await browser.reasonForCredential(id)).toBe(server.reasonFor(id));
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('refuses a list signed by another key or changed after signing, and a delta for another version', async () => {
    const id = new Uint8Array(randomBytes(16));
    const list = appendRevocations(
      emptyRevocationList(1_800_000_000),
      [{ credentialId: id, reason: 'lost' }],
      1_800_000_000,
    );
    const other = createTestKeyStore();
    const foreign = JSON.stringify(signRevocationList(list, other.trustListSigning));
    await expect(readRevocationList(foreign, anchorHex)).rejects.toMatchObject({
      reason: 'bad_signature',
    });
    const altered = signed(list).replace('"lost"', '"stolen"');
    await expect(readRevocationList(altered, anchorHex)).rejects.toMatchObject({
      reason: 'bad_signature',
    });
    const held = new BrowserRevocations(
      await readRevocationList(signed(emptyRevocationList(1)), anchorHex),
    );
    const later = appendRevocations(list, [], 1_800_000_001);
    expect(held.apply(await readRevocationList(signed(deltaSince(later, 1)), anchorHex))).toBe(
      false,
    );
    expect(held.version).toBe(0);
  });
});

describe('list age', () => {
  it('reads as the issue asks, in both languages', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    expect(relativeAge('es', now - 3 * 3_600_000 - 5_000, now)).toBe('hace 3 h');
    expect(relativeAge('en', now - 3 * 3_600_000, now)).toMatch(/^3 hr\.? ago$/);
    expect(relativeAge('es', now - 2 * 86_400_000, now)).toBe('hace 2 días');
    expect(relativeAge('es', now - 20_000, now)).toBe('ahora');
    expect(relativeAge('en', now, now)).toBe('now');
  });
});
