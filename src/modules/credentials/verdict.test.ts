import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase45, encodeBase45 } from '../../shared/claim169/base45.js';
import { decodeCbor, encodeCbor, tagged, untag } from '../../shared/claim169/cbor.js';
import { decodePng, findQrText } from './card-image.js';
import { encodeCard } from './card-payload.js';
import { renderCardPng } from './card-render.js';
import { issuedAtExample, makeHolder, makeSigningKey } from './card-test-kit.js';
import { createNodeSigner, nodePrimitives } from './node-primitives.js';
import { appendRevocations, emptyRevocationList, RevocationState } from './revocation-list.js';
import { buildTrustList, trustedKeysFromList } from './trust-list.js';
import { judgeCredential, type Verdict } from './verdict.js';

const issuer = makeSigningKey();
const trusted = trustedKeysFromList(
  buildTrustList({
    version: 1,
    issuedAt: issuedAtExample,
    issuerName: 'Amparo',
    credentialValiditySecondsMax: 5 * 365 * 86_400,
    keys: [{ publicKey: issuer.publicKey, notBefore: issuedAtExample }],
  }),
);
const now = issuedAtExample + 86_400;
const photo = {
  bytes: new Uint8Array(600).map((_, i) => (i * 37) & 0xff),
  format: 'webp' as const,
};
const card = await encodeCard({
  holder: makeHolder({ facePhoto: photo }),
  signer: createNodeSigner(issuer.privateKey),
  issuedAt: issuedAtExample,
});
const judge = (text: unknown) => judgeCredential(text, { trusted, now });

/** The four parts of the card's COSE_Sign1, to rebuild it the way a forger would. */
function openCose(text: string): [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array] {
  const inflated = nodePrimitives.inflate(decodeBase45(text), 1 << 16) as Uint8Array; // Sync in Node.
  return untag(decodeCbor(inflated))?.content as [
    Uint8Array,
    Map<unknown, unknown>,
    Uint8Array,
    Uint8Array,
  ]; // Safe: our own card.
}
function packCose(parts: unknown[]): string {
  return encodeBase45(nodePrimitives.deflate(encodeCbor(tagged(18, parts))) as Uint8Array); // Sync in Node.
}
function editPayload(edit: (claims: Map<unknown, unknown>) => void): string {
  const [protectedBytes, unprotected, payload, signature] = openCose(card.text);
  const claims = decodeCbor(payload) as Map<unknown, unknown>; // Safe: our own card's CWT map.
  edit(claims);
  return packCose([protectedBytes, unprotected, encodeCbor(claims), signature]);
}
function expectNotValid(verdict: Verdict) {
  expect(verdict.status).not.toBe('valid');
  expect(verdict.code).not.toBe('AMP_VERIFY_INTERNAL');
}

describe('forgeries are never valid', () => {
  it('accepts the genuine card and discloses its fields', async () => {
    const verdict = await judge(card.text);
    expect(verdict.status).toBe('valid');
    expect(verdict.fields?.uin).toBe(card.claims.id);
    expect(verdict.fields?.facePhoto?.base64).toBe(Buffer.from(photo.bytes).toString('base64'));
  });

  it('refuses a rendered card whose photo was swapped in the payload', async () => {
    const text = findQrText(
      decodePng(
        renderCardPng({
          holder: makeHolder(),
          qrText: card.text,
          expiresAt: card.expiresAt,
          issuerName: 'Amparo',
        }).png,
      ),
    );
    expect(text).toBe(card.text);
    const swapped = editPayload((claims) => {
      const identity = claims.get(169) as Map<unknown, unknown>; // Safe: claim 169 of our card.
      identity.set(62, [
        new Map<number, unknown>([
          [0, new Uint8Array(600).fill(1)],
          [1, 0],
          [2, 4],
        ]),
      ]);
    });
    expect((await judge(swapped)).status).toBe('invalid-signature');
  });

  it('refuses a card whose expiry was moved', async () => {
    const moved = editPayload((claims) => claims.set(4, card.expiresAt + 10 * 365 * 86_400));
    expect((await judge(moved)).status).toBe('invalid-signature');
  });

  it('refuses a card re-signed with an unknown key, with its own kid or the trusted one', async () => {
    const forger = makeSigningKey();
    const holder = makeHolder();
    const own = await encodeCard({
      holder,
      signer: createNodeSigner(forger.privateKey),
      issuedAt: issuedAtExample,
    });
    expect((await judge(own.text)).status).toBe('unknown-key');
    const trustedKid = new Uint8Array(Buffer.from(issuer.kid, 'hex'));
    const stolenKid = await encodeCard({
      holder,
      signer: createNodeSigner(forger.privateKey, trustedKid),
      issuedAt: issuedAtExample,
    });
    expect((await judge(stolenKid.text)).status).toBe('invalid-signature');
  });

  it('refuses a revoked card', async () => {
    const list = appendRevocations(
      emptyRevocationList(1),
      [{ credentialId: card.credentialId, reason: 'stolen' }],
      2,
    );
    const verdict = await judgeCredential(card.text, {
      trusted,
      now,
      revocations: new RevocationState(list),
    });
    expect([verdict.status, verdict.revocationReason]).toEqual(['revoked', 'stolen']);
  });

  it('never accepts a byte flipped anywhere in the signed structure', async () => {
    const cose = encodeCbor(tagged(18, openCose(card.text)));
    await fc.assert(
      fc.asyncProperty(
        fc.nat(cose.length - 1),
        fc.integer({ min: 1, max: 255 }),
        async (at, mask) => {
          const mutated = cose.slice();
          mutated[at] = (mutated[at] ?? 0) ^ mask;
          const text = encodeBase45(nodePrimitives.deflate(mutated) as Uint8Array); // Sync in Node.
          expectNotValid(await judge(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('any input gets a verdict, never a crash and never valid', () => {
  const base45Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'.split('');

  it.each([
    ['empty', ''],
    ['not text', 42],
    ['huge', 'A'.repeat(1_000_000)],
    ['a QR of something else', 'https://example.org/'],
    ['a truncated code', card.text.slice(0, -3)],
  ])('%s', async (_label, input) => {
    expectNotValid(await judge(input));
  });

  it('random strings, base45 strings, random bytes and truncations', async () => {
    const inputs = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc
        .array(fc.constantFrom(...base45Alphabet), { maxLength: 400 })
        .map((chars) => chars.join('')),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => encodeBase45(bytes)),
      fc
        .uint8Array({ maxLength: 300 })
        .map((bytes) => encodeBase45(nodePrimitives.deflate(bytes) as Uint8Array)),
      fc.nat(card.text.length - 1).map((end) => card.text.slice(0, end)),
    );
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => expectNotValid(await judge(input))),
      {
        numRuns: 1500,
      },
    );
  });
});
