import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateConsistencyProof,
  leafHash,
  memoryLeafHashSource,
  rootFromLeafHashes,
} from '../../src/modules/audit/merkle/index.js';
import { rawPublicKey } from '../../src/modules/credentials/node-primitives.js';
import { buildTrustList, signTrustList } from '../../src/modules/credentials/trust-list.js';
import { listCatalogue } from '../../src/modules/registry/catalogue/catalogue.js';
import { validatePersonAttributes } from '../../src/modules/registry/catalogue/validate.js';
import { kidOf } from '../../src/platform/crypto/key-store.js';
import type { CatalogueAttribute } from '../../web/src/api/types.js';
import { consistencyHolds } from '../../web/src/features/audit/consistency.js';
import { formRules, validateForm } from '../../web/src/features/enrolment/validate.js';
import {
  readTrustList,
  TrustListError,
} from '../../web/src/features/verifier/trust-list-reader.js';

/**
 * The console's own logic checked against the server's: the browser consistency check against
 * proofs the audit library makes, the browser trust-list reader against lists the credentials
 * module signs, and the live form checks against the catalogue's validation.
 */
describe('browser consistency check', () => {
  const leaves = Array.from({ length: 70 }, (_, index) =>
    leafHash(new TextEncoder().encode(`entry ${index}`)),
  );
  const source = memoryLeafHashSource(leaves);
  const root = (size: number) => rootFromLeafHashes(leaves.slice(0, size));

  it('accepts every proof the audit library makes, and refuses a changed root or proof', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 69 }),
        async (a, b) => {
          const [first, second] = a <= b + 1 ? [a, Math.max(a, b + 1)] : [b + 1, a];
          const proof = await generateConsistencyProof(source, first, second);
          const claim = {
            firstSize: first,
            secondSize: second,
            firstRoot: root(first),
            secondRoot: root(second),
            proof,
          };
          expect(await consistencyHolds(claim)).toBe(true);
          const otherRoot = Uint8Array.from(root(first));
          otherRoot[0] = (otherRoot[0] ?? 0) ^ 1;
          expect(await consistencyHolds({ ...claim, firstRoot: otherRoot })).toBe(false);
          if (proof.length > 0) {
            // Flip one bit of the first proof hash.
            const bent = proof.map((hash, index) => {
              const copy = Uint8Array.from(hash);
              if (index === 0) copy[31] = (copy[31] ?? 0) ^ 1;
              return copy;
            });
            expect(await consistencyHolds({ ...claim, proof: bent })).toBe(false);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a tree that shrank', async () => {
    const proof = await generateConsistencyProof(source, 5, 9);
    expect(
      await consistencyHolds({
        firstSize: 9,
        secondSize: 5,
        firstRoot: root(9),
        secondRoot: root(5),
        proof,
      }),
    ).toBe(false);
  });
});

describe('browser trust-list reader', () => {
  const anchor = generateKeyPairSync('ed25519');
  const anchorKey = { kid: kidOf(anchor.publicKey), ...anchor };
  const issuer = generateKeyPairSync('ed25519');
  const list = buildTrustList({
    version: 3,
    issuedAt: 1_767_225_600,
    issuerName: 'Amparo · Venezuela',
    credentialValiditySecondsMax: 157_680_000,
    keys: [{ publicKey: issuer.publicKey, notBefore: 1_767_225_600 }],
  });
  const anchorHex = Buffer.from(rawPublicKey(anchor.publicKey)).toString('hex');
  // Pretty-printed on purpose: the signature covers the canonical JSON, not the file bytes.
  const file = JSON.stringify(signTrustList(list, anchorKey), null, 2);

  it('reads a list the credentials module signed, with the same keys and kids', async () => {
    const read = await readTrustList(file, anchorHex);
    expect(read.version).toBe(3);
    expect(read.issuerName).toBe('Amparo · Venezuela');
    const raw = rawPublicKey(issuer.publicKey);
    expect(read.keys.map((key) => key.kid)).toEqual([
      createHash('sha256').update(raw).digest().subarray(0, 8).toString('hex'),
    ]);
    expect(Buffer.from(read.keys[0]?.publicKey ?? []).equals(Buffer.from(raw))).toBe(true);
  });

  it('refuses another anchor, an edited payload and a malformed anchor', async () => {
    const otherAnchor = Buffer.from(
      rawPublicKey(generateKeyPairSync('ed25519').publicKey),
    ).toString('hex');
    const reasonOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: unknown) => (error instanceof TrustListError ? error.reason : 'other'),
      );
    expect(await reasonOf(readTrustList(file, otherAnchor))).toBe('bad_signature');
    const edited = file.replace('Amparo · Venezuela', 'Amparo · Otro');
    expect(await reasonOf(readTrustList(edited, anchorHex))).toBe('bad_signature');
    expect(await reasonOf(readTrustList(file, 'abc'))).toBe('bad_anchor');
  });
});

describe('live enrolment checks', () => {
  // The published catalogue is what the console fetches from /api/catalogue.
  const catalogue = listCatalogue().attributes as unknown as CatalogueAttribute[];
  const rules = formRules(catalogue);
  const today = new Date().toISOString().slice(0, 10);
  const valid = {
    given_names: "María D'Ángelo",
    first_surname: 'Pérez-Lugo',
    sex: 'F',
    birth_date: '1990-02-28',
    state_code: 'VE-A',
  };
  const samples: Array<Record<string, string>> = [
    valid,
    { ...valid, given_names: 'Ana 2' },
    { ...valid, sex: 'X' },
    { ...valid, birth_date: '1990-02-30' },
    { ...valid, birth_date: '2999-01-01' },
    { ...valid, birth_date: '1990', birth_date_approximate: 'true' },
    { ...valid, phone: '+584121234567' },
    { ...valid, phone: '+5812345' },
    { ...valid, nationality: 've' },
    { ...valid, email: 'ana@example.org' },
    { ...valid, email: 'ana@' },
    { ...valid, preferred_language: 'guc' },
    { ...valid, first_surname: '' },
    { ...valid, given_names: 'x'.repeat(101) },
  ];

  it('accepts and refuses what the server accepts and refuses', () => {
    for (const sample of samples) {
      const consoleOk = Object.keys(validateForm(rules, sample, today)).length === 0;
      const typed = Object.fromEntries(
        Object.entries(sample).map(([name, value]) => [name, value === 'true' ? true : value]),
      );
      const serverOk = validatePersonAttributes(typed).ok;
      expect(consoleOk, JSON.stringify(sample)).toBe(serverOk);
    }
  });

  it('builds enum options and length bounds from the catalogue', () => {
    const byName = new Map(rules.map((rule) => [rule.name, rule]));
    expect(byName.get('sex')?.options).toEqual(['F', 'M']);
    expect(byName.get('given_names')?.lengthMax).toBe(100);
    expect(byName.has('photo')).toBe(false);
  });
});
