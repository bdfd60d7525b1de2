import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../shared/claim169/cbor.js';
import { decodeCredential, decodeUnverified } from '../../shared/claim169/credential.js';
import { validatePopulationOptions } from '../demo/options.js';
import { generatePopulation } from '../demo/population.js';
import { buildCardClaims, credentialIdFromText, encodeCard } from './card-payload.js';
import { cardQr } from './card-qr.js';
import { issuedAtExample, makeHolder, makeSigningKey, signedPayloadOf } from './card-test-kit.js';
import { CredentialsError } from './credentials-error.js';
import { cardQrVersionTarget, cardValiditySecondsDefault } from './limits.js';
import { createNodeSigner, nodePrimitives, rawPublicKey } from './node-primitives.js';

const key = makeSigningKey();
const signer = createNodeSigner(key.privateKey);
const resolveKeys = () => [{ algorithm: 'EdDSA' as const, publicKey: rawPublicKey(key.publicKey) }];

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof CredentialsError ? error.code : 'not a CredentialsError';
  }
  return undefined;
}

describe('buildCardClaims', () => {
  it('keeps only UIN, name, compact date of birth and sex', () => {
    const holder = makeHolder({ fullName: '  Ana Pérez ', dateOfBirth: '1988-01-02' });
    expect(buildCardClaims(holder)).toEqual({
      id: holder.uin,
      fullName: 'Ana Pérez',
      dateOfBirth: '19880102',
      gender: 'female',
    });
  });

  it('leaves out a birth date known only by its year', () => {
    expect(buildCardClaims(makeHolder({ dateOfBirth: '1941' })).dateOfBirth).toBeUndefined();
  });

  it('carries a face photo of up to 1 KiB as a face image and refuses a larger one', () => {
    const bytes = new Uint8Array(1024).fill(7);
    const claims = buildCardClaims(makeHolder({ facePhoto: { bytes, format: 'webp' } }));
    expect(claims.face).toEqual([{ data: bytes, format: 0, subFormat: 4 }]);
    const tooLarge = { bytes: new Uint8Array(1025), format: 'webp' as const };
    expect(codeOf(() => buildCardClaims(makeHolder({ facePhoto: tooLarge })))).toBe(
      'AMP_CARD_PHOTO_TOO_LARGE',
    );
  });

  it.each([
    ['a UIN with a wrong check digit', { uin: '4829175030' }],
    ['an empty name', { fullName: '   ' }],
    ['an impossible date', { dateOfBirth: '1990-02-30' }],
    ['a date in another format', { dateOfBirth: '02/01/1990' }],
  ])('refuses %s', (_label, overrides) => {
    const holder = makeHolder({ uin: '4829175036', ...overrides });
    expect(codeOf(() => buildCardClaims(holder))).toBe('AMP_CARD_INVALID_HOLDER');
  });
});

describe('encodeCard', () => {
  it('produces a credential the codec verifies, with exp and cti and without iat or iss', async () => {
    const holder = makeHolder();
    const card = await encodeCard({ holder, signer, issuedAt: issuedAtExample });
    const verified = await decodeCredential(card.text, {
      primitives: nodePrimitives,
      resolveKeys,
      now: issuedAtExample + 10,
    });
    expect(verified.claim169.id).toBe(holder.uin);
    const { cwtId, ...dates } = verified.cwt;
    expect(dates).toEqual({ expiresAt: issuedAtExample + cardValiditySecondsDefault });
    expect(hex(cwtId)).toBe(hex(card.cwtId));
    expect(Buffer.from(verified.kid ?? []).toString('hex')).toBe(key.kid);
  });

  it('writes the configured issuer and validity', async () => {
    const profile = { issuer: 'amparo:ve', validitySeconds: 3600 };
    const card = await encodeCard({ holder: makeHolder(), signer, issuedAt: 1000, profile });
    const { cwt } = await decodeUnverified(card.text, { primitives: nodePrimitives });
    expect({ ...cwt, cwtId: hex(cwt.cwtId) }).toEqual({
      issuer: 'amparo:ve',
      expiresAt: 4600,
      cwtId: hex(card.cwtId),
    });
  });

  // Finding F2 of the session-18 review: without a random element the payload was a function
  // of the printed facts and the expiry, so the id of a card could be computed without it.
  it('gives two cards of the same holder and expiry different ids: each carries a random 16-byte cti', async () => {
    const holder = makeHolder();
    const first = await encodeCard({ holder, signer, issuedAt: issuedAtExample });
    const second = await encodeCard({ holder, signer, issuedAt: issuedAtExample });
    expect(second.expiresAt).toBe(first.expiresAt);
    expect(hex(second.credentialId)).not.toBe(hex(first.credentialId));
    for (const card of [first, second]) {
      const claims = decodeCbor(signedPayloadOf(card.text)) as Map<number, unknown>;
      const cti = claims.get(7);
      expect(cti).toBeInstanceOf(Uint8Array);
      expect((cti as Uint8Array).length).toBe(16);
      expect(hex(cti as Uint8Array)).toBe(hex(card.cwtId));
    }
    expect(hex(first.cwtId)).not.toBe(hex(second.cwtId));
  });

  it('produces a stored card again from its cti, and a card issued without one without it', async () => {
    const holder = makeHolder();
    const card = await encodeCard({ holder, signer, issuedAt: issuedAtExample });
    const again = await encodeCard({
      holder,
      signer,
      issuedAt: issuedAtExample,
      cwtId: card.cwtId,
    });
    expect(again.text).toBe(card.text);
    const older = await encodeCard({ holder, signer, issuedAt: issuedAtExample, cwtId: null });
    expect(older.cwtId).toBeNull();
    expect((decodeCbor(signedPayloadOf(older.text)) as Map<number, unknown>).has(7)).toBe(false);
    expect(hex(await credentialIdFromText(older.text))).toBe(hex(older.credentialId));
  });

  it('derives the credential id from the signed payload bytes', async () => {
    const holder = makeHolder();
    const card = await encodeCard({ holder, signer, issuedAt: issuedAtExample });
    expect(await credentialIdFromText(card.text)).toEqual(card.credentialId);
    const payload = signedPayloadOf(card.text);
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update(payload).digest().subarray(0, 16);
    expect(Buffer.from(card.credentialId)).toEqual(expected);
    expect(decodeCbor(payload)).toBeInstanceOf(Map);
    const later = await encodeCard({ holder, signer, issuedAt: issuedAtExample + 1 });
    expect(later.credentialId).not.toEqual(card.credentialId);
  });
});

function hex(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes == null ? undefined : Buffer.from(bytes).toString('hex');
}

describe('QR size of the issuance profile', () => {
  async function versionFor(fullName: string): Promise<number> {
    // A fresh key per card: signature bytes differ, and zlib must not get lucky with them.
    const signer = createNodeSigner(makeSigningKey().privateKey);
    const card = await encodeCard({ holder: makeHolder({ fullName }), signer, issuedAt: 1e9 });
    return cardQr(card.text).version;
  }

  it('fits a 46-byte name (longer than any in the demo population) in version 12 at level Q', async () => {
    const names = [
      'Maria de los Angeles Hernandez Villalobos Ruiz',
      'José Ángel Rodríguez Castañeda Ruiz de Paz',
    ];
    for (const name of names) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(46);
      for (let i = 0; i < 5; i++)
        expect(await versionFor(name)).toBeLessThanOrEqual(cardQrVersionTarget);
    }
  });

  it('puts every demo-population name in version 12 or lower', async () => {
    const options = validatePopulationOptions({ persons: 500, seed: 'qr', duplicateShare: 0 });
    let small = 0;
    let total = 0;
    for (const record of generatePopulation(options)) {
      const name = [record.givenNames, record.firstSurname, record.secondSurname].filter(Boolean);
      if ((await versionFor(name.join(' '))) <= cardQrVersionTarget) small++;
      total++;
    }
    expect(small).toBe(total);
  });
});
