import { createHash, randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { encodeBase45 } from '../../../shared/claim169/base45.js';
import { decodeCbor, encodeCbor, tagged } from '../../../shared/claim169/cbor.js';
import { encodeClaim169 } from '../../../shared/claim169/claim169.js';
import type { CodecPrimitives } from '../../../shared/claim169/codec-primitives.js';
import {
  decodeCredential,
  decodeUnverified,
  encodeCredential,
} from '../../../shared/claim169/credential.js';
import { encodeCwtClaims } from '../../../shared/claim169/cwt.js';
import { credentialTextLengthMax } from '../../../shared/claim169/limits.js';
import { webPrimitives } from '../../../shared/claim169/web-primitives.js';
import { kidFromPublicKey, nodePrimitives } from '../node-primitives.js';
import {
  buildCose,
  codeOf,
  expiresAt,
  issuedAt,
  makeIssuer,
  packCose,
  resolverFor,
  typicalClaims,
  typicalContent,
} from './codec-test-kit.js';

const issuer = makeIssuer();
const now = issuedAt + 3600;
const platforms: [string, CodecPrimitives][] = [
  ['node', nodePrimitives],
  ['web', webPrimitives],
];

describe.each(platforms)('credential round trip, encoded with %s primitives', (_n, encoder) => {
  it.each(platforms)('decodes and verifies with %s primitives', async (_m, decoder) => {
    const photo = new Uint8Array(1024).map((_, index) => (index * 7) & 0xff);
    const claims = { ...typicalClaims, face: [{ data: photo, format: 0, subFormat: 4 }] };
    const content = { ...typicalContent(claims), notBefore: issuedAt };
    const text = await encodeCredential(content, issuer.signer, encoder);
    const kids: (Uint8Array | undefined)[] = [];
    const resolveKeys = resolverFor([issuer.key], kids);
    const verified = await decodeCredential(text, { primitives: decoder, resolveKeys, now });
    expect(verified.claim169).toEqual(claims);
    expect(verified.cwt).toStrictEqual({
      issuer: 'https://amparo.example',
      expiresAt,
      notBefore: issuedAt,
      issuedAt,
    });
    expect(verified.algorithm).toBe('EdDSA');
    expect(verified.kid).toEqual(kidFromPublicKey(issuer.key.publicKey));
    expect(kids).toEqual([verified.kid]);
  });
});

describe('credential encoding', () => {
  it('puts alg EdDSA and the 8-byte kid in the protected header of a tagged COSE_Sign1', async () => {
    const text = await encodeCredential(typicalContent(), issuer.signer, nodePrimitives);
    const decoded = await decodeUnverified(text, { primitives: nodePrimitives });
    expect(decoded.kid).toHaveLength(8);
    const digest = createHash('sha256').update(issuer.key.publicKey).digest();
    expect(Buffer.from(decoded.kid!)).toEqual(digest.subarray(0, 8));
  });

  it('signs ES256 with P-256 keys and verifies them on both platforms', async () => {
    const ecIssuer = makeIssuer('p256');
    const text = await encodeCredential(typicalContent(), ecIssuer.signer, nodePrimitives);
    for (const [, primitives] of platforms) {
      const resolveKeys = resolverFor([ecIssuer.key]);
      const verified = await decodeCredential(text, { primitives, resolveKeys, now });
      expect(verified.algorithm).toBe('ES256');
    }
  });

  it('fits a typical card without photo in a version 12 QR code at level Q', async () => {
    // 30-character name with accents, 10-digit UIN, issuer URL, 8-byte kid: 185 bytes of COSE,
    // 294 base45 characters. Version 11-Q holds 259, so 12 is the floor for this content (see
    // README.md, "QR size"); this guards against the encoding growing further.
    const text = await encodeCredential(typicalContent(), issuer.signer, nodePrimitives);
    const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'Q' });
    expect(text.length).toBeLessThanOrEqual(296);
    expect(qr.version).toBeLessThanOrEqual(12);
  });

  it('refuses content that would not fit the length bound', async () => {
    const noise = randomBytes(6000); // Incompressible: 6000 bytes need about 9000 characters.
    const content = typicalContent({ ...typicalClaims, photo: noise });
    expect(await codeOf(encodeCredential(content, issuer.signer, nodePrimitives))).toBe(
      'AMP_CRED_INVALID_INPUT',
    );
  });
});

describe('key lookup', () => {
  const options = (keys = [issuer.key]) => ({
    primitives: nodePrimitives,
    now,
    resolveKeys: resolverFor(keys),
  });

  it('tries every key that shares the kid', async () => {
    const text = await encodeCredential(typicalContent(), issuer.signer, nodePrimitives);
    const impostors = [makeIssuer().key, makeIssuer().key];
    const verified = await decodeCredential(text, options([...impostors, issuer.key]));
    expect(verified.key).toBe(issuer.key);
  });

  it('reports an unknown key when no key has the kid', async () => {
    const text = await encodeCredential(typicalContent(), issuer.signer, nodePrimitives);
    expect(await codeOf(decodeCredential(text, options([])))).toBe('AMP_CRED_UNKNOWN_KEY');
  });

  it('never tries a key of another algorithm', async () => {
    const text = await encodeCredential(typicalContent(), issuer.signer, nodePrimitives);
    const ecKey = makeIssuer('p256').key;
    expect(await codeOf(decodeCredential(text, options([ecKey])))).toBe('AMP_CRED_UNKNOWN_KEY');
  });

  it('skips a malformed trusted key and goes on to the next', async () => {
    const text = await encodeCredential(typicalContent(), issuer.signer, nodePrimitives);
    const broken = { algorithm: 'EdDSA' as const, publicKey: new Uint8Array(5) };
    const verified = await decodeCredential(text, options([broken, issuer.key]));
    expect(verified.key).toBe(issuer.key);
  });
});

describe('validity period', () => {
  const decodeAt = async (at: number, clockSkewSeconds?: number, notBefore?: number) => {
    const content = { ...typicalContent(), ...(notBefore === undefined ? {} : { notBefore }) };
    const text = await encodeCredential(content, issuer.signer, nodePrimitives);
    const resolveKeys = resolverFor([issuer.key]);
    return decodeCredential(text, {
      primitives: nodePrimitives,
      resolveKeys,
      now: at,
      clockSkewSeconds,
    });
  };

  it('refuses on and after exp, accepting the clock skew', async () => {
    await expect(decodeAt(expiresAt - 1, 0)).resolves.toBeDefined();
    expect(await codeOf(decodeAt(expiresAt, 0))).toBe('AMP_CRED_EXPIRED');
    await expect(decodeAt(expiresAt + 59)).resolves.toBeDefined();
    expect(await codeOf(decodeAt(expiresAt + 60))).toBe('AMP_CRED_EXPIRED');
  });

  it('refuses before nbf, accepting the clock skew', async () => {
    const notBefore = issuedAt + 86_400;
    await expect(decodeAt(notBefore, 0, notBefore)).resolves.toBeDefined();
    expect(await codeOf(decodeAt(notBefore - 1, 0, notBefore))).toBe('AMP_CRED_NOT_YET_VALID');
    await expect(decodeAt(notBefore - 60, undefined, notBefore)).resolves.toBeDefined();
    expect(await codeOf(decodeAt(notBefore - 61, undefined, notBefore))).toBe(
      'AMP_CRED_NOT_YET_VALID',
    );
  });

  it('refuses a clock that is not a number', async () => {
    expect(await codeOf(decodeAt(Number.NaN))).toBe('AMP_CRED_INVALID_INPUT');
  });
});

describe('COSE structure', () => {
  const kid = issuer.signer.kid;
  const payload = encodeCwtClaims(
    { issuer: 'https://amparo.example', issuedAt, expiresAt },
    encodeClaim169(typicalClaims),
  );
  const header = (entries: [unknown, unknown][]) => new Map<unknown, unknown>(entries);
  const verify = (cose: Uint8Array) =>
    decodeCredential(packCose(cose), {
      primitives: nodePrimitives,
      now,
      resolveKeys: resolverFor([issuer.key]),
    });
  const signed = (overrides: Partial<Parameters<typeof buildCose>[0]>) =>
    buildCose({
      protectedHeader: header([
        [1, -8],
        [4, kid],
      ]),
      payload,
      signer: issuer.signer,
      tag: 18,
      ...overrides,
    });

  it('accepts tag 18, CWT tag 61 around it, and an untagged array', async () => {
    await expect(verify(await signed({}))).resolves.toBeDefined();
    const inner = decodeCbor(await signed({}));
    await expect(verify(encodeCbor(tagged(61, inner)))).resolves.toBeDefined();
    await expect(verify(await signed({ tag: undefined }))).resolves.toBeDefined();
  });

  it('accepts an unprotected kid equal to the protected one, refuses a different one', async () => {
    const same = await signed({ unprotectedHeader: header([[4, kid]]) });
    await expect(verify(same)).resolves.toBeDefined();
    const other = await signed({ unprotectedHeader: header([[4, new Uint8Array(8)]]) });
    expect(await codeOf(verify(other))).toBe('AMP_CRED_NOT_COSE');
  });

  it('uses an unprotected kid for lookup when the protected header has none', async () => {
    const cose = await signed({
      protectedHeader: header([[1, -8]]),
      unprotectedHeader: header([[4, kid]]),
    });
    expect((await verify(cose)).kid).toEqual(kid);
  });

  it.each([
    [
      'an unsupported algorithm',
      header([
        [1, -35],
        [4, kid],
      ]),
      'AMP_CRED_UNSUPPORTED_ALGORITHM',
    ],
    ['no algorithm', header([[4, kid]]), 'AMP_CRED_NOT_COSE'],
    [
      'a critical header',
      header([
        [1, -8],
        [2, [99]],
        [4, kid],
      ]),
      'AMP_CRED_NOT_COSE',
    ],
    [
      'a kid that is text',
      header([
        [1, -8],
        [4, 'kid'],
      ]),
      'AMP_CRED_NOT_COSE',
    ],
  ])('refuses a protected header with %s', async (_label, protectedHeader, code) => {
    expect(await codeOf(verify(await signed({ protectedHeader })))).toBe(code);
  });

  it('refuses an algorithm given only in the unprotected header', async () => {
    const cose = await signed({
      protectedHeader: header([[4, kid]]),
      unprotectedHeader: header([[1, -8]]),
    });
    expect(await codeOf(verify(cose))).toBe('AMP_CRED_NOT_COSE');
  });

  it.each([
    ['another tag', encodeCbor({ not: 'cose' })],
    ['three elements', encodeCbor([new Uint8Array(), new Map(), new Uint8Array()])],
    [
      'a detached payload',
      encodeCbor([encodeCbor(header([[1, -8]])), new Map(), null, new Uint8Array(64)]),
    ],
    [
      'a map as protected header',
      encodeCbor([header([[1, -8]]), new Map(), payload, new Uint8Array(64)]),
    ],
    ['trailing CBOR bytes', Buffer.concat([encodeCbor([1]), new Uint8Array([0])])],
  ])('refuses %s', async (_label, cose) => {
    expect(await codeOf(verify(cose))).toBe('AMP_CRED_NOT_COSE');
  });

  it.each([
    ['a payload that is not a map', encodeCbor([1, 2])],
    [
      'an expiry that is text',
      encodeCbor(
        header([
          [4, '2031'],
          [169, new Map()],
        ]),
      ),
    ],
    [
      'an issuer that is a number',
      encodeCbor(
        header([
          [1, 7],
          [169, new Map()],
        ]),
      ),
    ],
    ['claim 169 that is not a map', encodeCbor(header([[169, 'Ana']]))],
    [
      'a cti that is text',
      encodeCbor(
        header([
          [7, 'card-1'],
          [169, new Map()],
        ]),
      ),
    ],
  ])('refuses signed claims with %s', async (_label, badPayload) => {
    expect(await codeOf(verify(await signed({ payload: badPayload })))).toBe(
      'AMP_CRED_MALFORMED_CLAIMS',
    );
  });

  it('reads a cti (CWT ID, a byte string) on both platforms', async () => {
    const cwtId = randomBytes(16);
    const withCti = encodeCwtClaims({ expiresAt, cwtId }, encodeClaim169(typicalClaims));
    const text = packCose(await signed({ payload: withCti }));
    for (const [, primitives] of platforms) {
      const resolveKeys = resolverFor([issuer.key]);
      const verified = await decodeCredential(text, { primitives, resolveKeys, now });
      expect(Buffer.from(verified.cwt.cwtId ?? [])).toEqual(cwtId);
    }
  });

  it('refuses signed claims without claim 169', async () => {
    const noClaim = encodeCbor(header([[1, 'https://amparo.example']]));
    expect(await codeOf(verify(await signed({ payload: noClaim })))).toBe(
      'AMP_CRED_MISSING_CLAIM169',
    );
  });
});

describe('size and compression', () => {
  it.each(platforms)('refuses a zip bomb with %s primitives', async (_name, primitives) => {
    const bomb = encodeBase45(deflateSync(new Uint8Array(1024 * 1024)));
    expect(bomb.length).toBeLessThan(credentialTextLengthMax);
    expect(await codeOf(decodeUnverified(bomb, { primitives }))).toBe('AMP_CRED_TOO_LARGE');
  });

  it('checks the length before anything else', async () => {
    const long = '#'.repeat(credentialTextLengthMax + 1);
    expect(await codeOf(decodeUnverified(long, { primitives: nodePrimitives }))).toBe(
      'AMP_CRED_TOO_LARGE',
    );
  });

  it('refuses raw deflate without the zlib header, and bytes after the stream', async () => {
    const cose = await buildCose({
      protectedHeader: new Map([[1, -8]]),
      payload: new Uint8Array(),
      signer: issuer.signer,
    });
    for (const [, primitives] of platforms) {
      const raw = encodeBase45(deflateRawSync(cose));
      expect(await codeOf(decodeUnverified(raw, { primitives }))).toBe('AMP_CRED_BAD_COMPRESSION');
    }
    const trailing = encodeBase45(Buffer.concat([deflateSync(cose), new Uint8Array([0])]));
    expect(await codeOf(decodeUnverified(trailing, { primitives: nodePrimitives }))).toBe(
      'AMP_CRED_BAD_COMPRESSION',
    );
  });
});
