import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateConsistencyProof,
  leafHash,
  memoryLeafHashSource,
  rootFromLeafHashes,
  signTreeHead,
} from '../../src/modules/audit/merkle/index.js';
import { rawPublicKey } from '../../src/modules/credentials/node-primitives.js';
import { kidOf } from '../../src/platform/crypto/key-store.js';
import type { AuditKeys, TreeHead } from '../../web/src/api/types.js';
import {
  checkShownHead,
  type HeadMemoryDeps,
  rememberedHeadKey,
} from '../../web/src/features/access-history/head-memory.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * The citizen page's memory of the largest verified head, against logs the audit library
 * builds and heads it signs: the honest log extending between visits passes, and a log cut
 * back, or cut back and grown again, is caught on the next visit.
 */
describe('browser memory of the largest verified tree head', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = kidOf(publicKey);
  const keys: AuditKeys = {
    keys: [{ keyId, algorithm: 'Ed25519', publicKey: hex(rawPublicKey(publicKey)) }],
  };
  const honest = Array.from({ length: 60 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  // The same first 20 entries, then others: a log rolled back to 20 and written again.
  const rewritten = [
    ...honest.slice(0, 20),
    ...Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`other ${i}`))),
  ];

  function headOf(leaves: Uint8Array[], size: number): TreeHead {
    const rootHash = rootFromLeafHashes(leaves.slice(0, size));
    const timestampMs = Date.UTC(2026, 11, 4) + size;
    const signed = signTreeHead({ size, rootHash, timestampMs, keyId }, privateKey);
    return {
      treeSize: size,
      rootHash: hex(rootHash),
      timestampMs,
      signedAt: new Date(timestampMs).toISOString(),
      keyId,
      signature: hex(signed.signature),
    };
  }

  /** A browser: its storage, and a server that proves consistency over `leaves`. */
  function browser(): {
    deps: (leaves: Uint8Array[]) => HeadMemoryDeps;
    stored: Map<string, string>;
  } {
    const stored = new Map<string, string>();
    const storage = {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
    };
    return {
      stored,
      deps: (leaves) => ({
        storage,
        fetchProof: async (from, to) =>
          (await generateConsistencyProof(memoryLeafHashSource(leaves), from, to)).map(hex),
      }),
    };
  }

  it('remembers the first head and follows the honest log as it grows', async () => {
    const { deps, stored } = browser();
    expect(await checkShownHead(headOf(honest, 25), keys, deps(honest))).toEqual({
      state: 'first',
      rememberedSize: 25,
    });
    expect(await checkShownHead(headOf(honest, 25), keys, deps(honest))).toMatchObject({
      state: 'same',
    });
    expect(await checkShownHead(headOf(honest, 41), keys, deps(honest))).toEqual({
      state: 'extends',
      rememberedSize: 25,
    });
    expect(JSON.parse(stored.get(rememberedHeadKey) ?? '{}')).toMatchObject({ treeSize: 41 });
  });

  it('catches a log cut back below the remembered head, at any depth, and keeps warning', async () => {
    for (const shownSize of [40, 20, 1]) {
      const { deps, stored } = browser();
      await checkShownHead(headOf(honest, 41), keys, deps(honest));
      expect(await checkShownHead(headOf(honest, shownSize), keys, deps(honest))).toEqual({
        state: 'rolled_back',
        rememberedSize: 41,
        shownSize,
      });
      // The memory is not lowered: the next visit warns again.
      expect(JSON.parse(stored.get(rememberedHeadKey) ?? '{}')).toMatchObject({ treeSize: 41 });
    }
  });

  it('catches a log cut back and written again past the remembered size', async () => {
    const { deps } = browser();
    await checkShownHead(headOf(honest, 41), keys, deps(honest));
    expect(await checkShownHead(headOf(rewritten, 55), keys, deps(rewritten))).toMatchObject({
      state: 'inconsistent',
      rememberedSize: 41,
    });
    expect(await checkShownHead(headOf(rewritten, 41), keys, deps(rewritten))).toMatchObject({
      state: 'inconsistent',
    });
  });

  it('neither trusts nor remembers a head whose signature fails', async () => {
    const { deps, stored } = browser();
    const forged = { ...headOf(honest, 30), treeSize: 31 };
    expect(await checkShownHead(forged, keys, deps(honest))).toEqual({ state: 'unchecked' });
    expect(stored.size).toBe(0);
  });
});
