import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase45 } from '../../../shared/claim169/base45.js';
import { decodeCbor, encodeCbor, tagged } from '../../../shared/claim169/cbor.js';
import type { Claim169 } from '../../../shared/claim169/claim169.js';
import { encodeClaim169 } from '../../../shared/claim169/claim169.js';
import type { VerificationKey } from '../../../shared/claim169/codec-primitives.js';
import { decodeCredential, encodeCredential } from '../../../shared/claim169/credential.js';
import { encodeCwtClaims } from '../../../shared/claim169/cwt.js';
import { credentialDecompressedBytesMax } from '../../../shared/claim169/limits.js';
import { nodePrimitives } from '../node-primitives.js';
import {
  buildCose,
  codeOf,
  makeIssuer,
  packCose,
  typicalClaims,
  typicalContent,
} from './codec-test-kit.js';

const issuer = makeIssuer();
const attackers = [makeIssuer(), makeIssuer(), makeIssuer('p256')];
const photo = new Uint8Array(1000).map((_, index) => (index * 31 + 7) & 0xff);
const claims: Claim169 = { ...typicalClaims, face: [{ data: photo, format: 0, subFormat: 4 }] };
const now = typicalContent().issuedAt + 86_400;

/** Trusted keys by hex kid, as a real key store would answer. */
function resolveKeys(kid: Uint8Array | undefined): VerificationKey[] {
  return kid !== undefined && Buffer.from(kid).equals(Buffer.from(issuer.signer.kid))
    ? [issuer.key]
    : [];
}
const verify = (text: string) =>
  decodeCredential(text, { primitives: nodePrimitives, now, resolveKeys });

let genuineCose: Uint8Array;

beforeAll(async () => {
  const text = await encodeCredential(typicalContent(claims), issuer.signer, nodePrimitives);
  await expect(verify(text)).resolves.toBeDefined(); // The untouched credential is accepted.
  genuineCose = (await nodePrimitives.inflate(
    decodeBase45(text),
    credentialDecompressedBytesMax,
  )) as Uint8Array;
});

/** Re-encodes the genuine COSE_Sign1 with its payload claims edited, keeping the signature. */
function withEditedClaims(edit: (cwt: Map<unknown, unknown>) => void): Uint8Array {
  const parts = (decodeCbor(genuineCose) as { value: unknown[] }).value; // Safe: our tag 18.
  const cwt = decodeCbor(parts[2] as Uint8Array) as Map<unknown, unknown>; // Safe: our CWT map.
  edit(cwt);
  return encodeCbor(tagged(18, [parts[0], parts[1], encodeCbor(cwt), parts[3]]));
}

describe('forged credentials never verify', () => {
  it('flipping any bits of any byte of the COSE structure', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: genuineCose.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, mask) => {
          const forged = genuineCose.slice();
          forged[index] = forged[index]! ^ mask;
          expect(await codeOf(verify(packCose(forged)))).toMatch(/^AMP_CRED_/);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('re-signing edited claims with a key the verifier does not trust', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...attackers),
        fc.boolean(),
        fc.string({ minLength: 1, maxLength: 40 }),
        async (attacker, claimGenuineKid, fullName) => {
          const signer = claimGenuineKid
            ? { ...attacker.signer, kid: issuer.signer.kid }
            : attacker.signer;
          const text = await encodeCredential(
            typicalContent({ ...claims, fullName }),
            signer,
            nodePrimitives,
          );
          const expected =
            claimGenuineKid && attacker.signer.algorithm === 'EdDSA'
              ? 'AMP_CRED_BAD_SIGNATURE'
              : 'AMP_CRED_UNKNOWN_KEY';
          expect(await codeOf(verify(text))).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('swapping in a different photo', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 1024 }), async (otherPhoto) => {
        fc.pre(!Buffer.from(otherPhoto).equals(Buffer.from(photo)));
        const forged = withEditedClaims((cwt) => {
          const claim169 = cwt.get(169) as Map<unknown, unknown>; // Safe: our claim 169 map.
          claim169.set(62, [
            new Map<number, unknown>([
              [0, otherPhoto],
              [1, 0],
              [2, 4],
            ]),
          ]);
        });
        expect(await codeOf(verify(packCose(forged)))).toBe('AMP_CRED_BAD_SIGNATURE');
      }),
      { numRuns: 300 },
    );
  });

  it('moving the expiry', async () => {
    const { expiresAt } = typicalContent();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 32 - 1 }), async (movedExpiry) => {
        fc.pre(movedExpiry !== expiresAt);
        const forged = withEditedClaims((cwt) => cwt.set(4, movedExpiry));
        expect(await codeOf(verify(packCose(forged)))).toBe('AMP_CRED_BAD_SIGNATURE');
      }),
      { numRuns: 300 },
    );
  });

  it('removing the expiry', async () => {
    const forged = withEditedClaims((cwt) => cwt.delete(4));
    expect(await codeOf(verify(packCose(forged)))).toBe('AMP_CRED_BAD_SIGNATURE');
  });

  it('relabelling an EdDSA signature as ES256 under the same kid', async () => {
    const parts = (decodeCbor(genuineCose) as { value: unknown[] }).value; // Safe: our tag 18.
    const relabelled = encodeCbor(
      new Map<number, unknown>([
        [1, -7],
        [4, issuer.signer.kid],
      ]),
    );
    const forged = encodeCbor(tagged(18, [relabelled, parts[1], parts[2], parts[3]]));
    expect(await codeOf(verify(packCose(forged)))).toBe('AMP_CRED_UNKNOWN_KEY');
  });

  it('a valid attacker signature with the genuine kid only in the unprotected header', async () => {
    const attacker = attackers[0]!;
    const payload = encodeCwtClaims({ issuer: 'https://amparo.example' }, encodeClaim169(claims));
    const forged = await buildCose({
      protectedHeader: new Map<unknown, unknown>([
        [1, -8],
        [4, attacker.signer.kid],
      ]),
      unprotectedHeader: new Map<unknown, unknown>([[4, issuer.signer.kid]]),
      payload,
      signer: attacker.signer,
      tag: 18,
    });
    expect(await codeOf(verify(packCose(forged)))).toBe('AMP_CRED_NOT_COSE');
  });
});
