import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase45 } from '../../../shared/claim169/base45.js';
import { encodeCbor, tagged } from '../../../shared/claim169/cbor.js';
import type { CodecPrimitives } from '../../../shared/claim169/codec-primitives.js';
import {
  decodeCredential,
  decodeUnverified,
  encodeCredential,
} from '../../../shared/claim169/credential.js';
import { CredentialCodecError } from '../../../shared/claim169/credential-codec-error.js';
import { webPrimitives } from '../../../shared/claim169/web-primitives.js';
import { nodePrimitives } from '../node-primitives.js';
import {
  buildCose,
  codeOf,
  makeIssuer,
  packCose,
  resolverFor,
  typicalContent,
} from './codec-test-kit.js';

const issuer = makeIssuer();
const now = typicalContent().issuedAt + 60;
const options = (primitives: CodecPrimitives) => ({
  primitives,
  now,
  resolveKeys: resolverFor([issuer.key]),
});

/** Both decoders must refuse `text` with a CredentialCodecError, never anything else. */
async function expectRefused(text: string, primitives: CodecPrimitives): Promise<void> {
  expect(await codeOf(decodeCredential(text, options(primitives)))).toMatch(/^AMP_CRED_/);
  expect(await codeOf(decodeUnverified(text, { primitives }))).toMatch(/^AMP_CRED_/);
}

/** A decoder may accept `text` (it may be well-formed), but may only fail with our error. */
async function expectTypedOutcome(promise: Promise<unknown>): Promise<void> {
  const outcome = await promise.then(
    () => 'accepted',
    (error: unknown) => error,
  );
  if (outcome !== 'accepted') expect(outcome).toBeInstanceOf(CredentialCodecError);
}

const base45Char = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:');
/**
 * Any string: base45 characters mixed with any BMP or astral code point. Built by hand because
 * fast-check's `unit: 'binary'` spends over a second building tables on first use.
 */
const anyText = fc
  .array(
    fc.oneof(
      base45Char,
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
    ),
    { maxLength: 200 },
  )
  .map((chars) => chars.join(''));
const cborLeaf = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 70 }),
  fc.constantFrom(null, undefined, true, false),
);
const cborValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    cborLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.integer({ min: -8, max: 170 }), cborLeaf), tie('value')), {
        maxLength: 5,
      })
      .map((entries) => new Map(entries)),
  ),
})).value;

describe.each<[string, CodecPrimitives, number]>([
  ['node', nodePrimitives, 200],
  ['web', webPrimitives, 40],
])('any input gives a typed error (%s primitives)', (_name, primitives, numRuns) => {
  it('for the empty string, whitespace and a huge string', async () => {
    for (const text of ['', ' ', '\n', 'A'.repeat(1_000_000)])
      await expectRefused(text, primitives);
  });

  it('for arbitrary strings', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, (text) => expectRefused(text, primitives)),
      { numRuns },
    );
  });

  it('for strings over the base45 alphabet', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(base45Char, { maxLength: 400 }), (chars) =>
        expectRefused(chars.join(''), primitives),
      ),
      { numRuns },
    );
  });

  it('for random bytes, raw or zlib-compressed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await expectRefused(encodeBase45(bytes), primitives);
        await expectRefused(packCose(bytes), primitives);
      }),
      { numRuns },
    );
  });

  it('for every truncation of a genuine credential', async () => {
    const text = await encodeCredential(typicalContent(), issuer.signer, nodePrimitives);
    await expect(decodeCredential(text, options(primitives))).resolves.toBeDefined();
    for (let length = 0; length < text.length; length++) {
      await expectRefused(text.slice(0, length), primitives);
    }
  });
});

describe('structured garbage gives a typed error', () => {
  it('for arbitrary CBOR, bare or shaped like a COSE_Sign1', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(cborValue, fc.array(cborValue, { minLength: 4, maxLength: 4 })),
        fc.boolean(),
        async (value, tag) => {
          const text = packCose(encodeCbor(tag ? tagged(18, value) : value));
          expect(await codeOf(decodeCredential(text, options(nodePrimitives)))).toMatch(/^AMP_/);
          await expectTypedOutcome(decodeUnverified(text, { primitives: nodePrimitives }));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('for arbitrary claims carrying a genuine signature', async () => {
    const claimsMap = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 70 }), cborValue), { maxLength: 8 })
      .map((entries) => new Map<unknown, unknown>(entries));
    const payload = fc.oneof(
      cborValue,
      claimsMap.map((claim169) => new Map<unknown, unknown>([[169, claim169]])),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (claims) => {
        const cose = await buildCose({
          protectedHeader: new Map<unknown, unknown>([
            [1, -8],
            [4, issuer.signer.kid],
          ]),
          payload: encodeCbor(claims),
          signer: issuer.signer,
          tag: 18,
        });
        await expectTypedOutcome(decodeCredential(packCose(cose), options(nodePrimitives)));
      }),
      { numRuns: 250 },
    );
  });
});
