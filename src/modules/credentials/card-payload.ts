import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { decodeBase45, encodeBase45 } from '../../shared/claim169/base45.js';
import { type Claim169, encodeClaim169 } from '../../shared/claim169/claim169.js';
import type { CodecPrimitives, CredentialSigner } from '../../shared/claim169/codec-primitives.js';
import { parseCoseSign1, signCoseSign1 } from '../../shared/claim169/cose-sign1.js';
import { type CwtMeta, encodeCwtClaims } from '../../shared/claim169/cwt.js';
import {
  credentialDecompressedBytesMax,
  credentialTextLengthMax,
} from '../../shared/claim169/limits.js';
import { isValidUin } from '../../shared/uin/uin-rules.js';
import { CredentialsError } from './credentials-error.js';
import {
  cardFacePhotoBytesMax,
  cardFullNameBytesMax,
  cardValiditySecondsDefault,
  cardValiditySecondsMax,
} from './limits.js';
import { nodePrimitives } from './node-primitives.js';

/** Image formats a face photo may have, with their Claim 169 image sub-format numbers. */
const faceSubFormats = { png: 0, jpeg: 1, jpeg2000: 2, avif: 3, webp: 4 } as const;
export type FacePhotoFormat = keyof typeof faceSubFormats;

/** Claim 169 biometric format 0 means "image". */
const biometricFormatImage = 0;

/** Bytes of a credential id: 128 bits, as the revocation list's hashes. */
export const credentialIdBytes = 16;

/**
 * Bytes of a card's CWT `cti` claim: 128 random bits, so that the credential id (a hash of the
 * signed payload) is as hard to guess as a random 128-bit id, whatever is printed on the card.
 */
export const cardCwtIdBytes = 16;

/**
 * What a card carries about its holder, and nothing else (safeguard 7: minimal credentials).
 * `dateOfBirth` is `YYYY-MM-DD`, `YYYYMMDD`, or `YYYY` when only the year is known.
 */
export interface CardHolder {
  uin: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'female' | 'male' | 'other';
  facePhoto?: { bytes: Uint8Array; format: FacePhotoFormat };
}

/**
 * How cards are issued. `issuer` becomes the CWT `iss` claim; it is left out by default
 * because it costs QR space and a verifier learns the issuer from the signed trust list
 * anyway (see README.md, "Issuance profile").
 */
export interface CardIssuanceProfile {
  issuer?: string;
  validitySeconds: number;
}

export const cardIssuanceProfileDefault: CardIssuanceProfile = {
  validitySeconds: cardValiditySecondsDefault,
};

export interface EncodeCardInput {
  holder: CardHolder;
  signer: CredentialSigner;
  /** Issuance time in whole seconds since 1970; the expiry is counted from it. */
  issuedAt: number;
  profile?: CardIssuanceProfile;
  /**
   * The card's `cti` (`cardCwtIdBytes` bytes). Left out, fresh random bytes are drawn: a new
   * card. Given, to produce a stored card again. `null` only for a card issued before cards
   * carried a `cti` (migration 0141), which must keep its id.
   */
  cwtId?: Uint8Array | null;
  primitives?: CodecPrimitives;
}

/** A signed card payload, ready for a QR code. */
export interface EncodedCard {
  /** The QR text (base45). */
  text: string;
  /** SHA-256 of the signed CWT payload, first 16 bytes: see `credentialIdFromPayload`. */
  credentialId: Uint8Array;
  expiresAt: number;
  /** The `cti` the card carries, to be stored with it; null for a card issued without one. */
  cwtId: Uint8Array | null;
  claims: Claim169;
}

/**
 * The claim 169 fields of a card: UIN, full name, date of birth (`YYYYMMDD`, the form the
 * specification's table gives, two characters shorter than `YYYY-MM-DD`), sex and an optional
 * face photo of at most 1 KiB as a `face` biometric (keys 16/17 are deprecated by spec 1.2.2).
 * A birth date known only by its year is left out: the specification has no partial dates.
 *
 * @throws CredentialsError `AMP_CARD_INVALID_HOLDER` or `AMP_CARD_PHOTO_TOO_LARGE`
 * @example
 * buildCardClaims({ uin: '4829175036', fullName: 'Ana Pérez', dateOfBirth: '1988-01-02',
 *   sex: 'female' }); // { id: '4829175036', fullName: 'Ana Pérez', dateOfBirth: '19880102', … }
 */
export function buildCardClaims(holder: CardHolder): Claim169 {
  if (typeof holder.uin !== 'string' || !isValidUin(holder.uin)) {
    throw invalidHolder('the UIN is not a valid 10-digit Amparo ID number');
  }
  const fullName = typeof holder.fullName === 'string' ? holder.fullName.trim() : '';
  if (fullName === '') throw invalidHolder('the full name is empty');
  if (Buffer.byteLength(fullName) > cardFullNameBytesMax) {
    throw invalidHolder(`the full name is longer than ${cardFullNameBytesMax} bytes`);
  }
  if (!['female', 'male', 'other'].includes(holder.sex)) {
    throw invalidHolder('sex must be female, male or other');
  }
  const claims: Claim169 = { id: holder.uin, fullName, gender: holder.sex };
  const dateOfBirth = compactDateOfBirth(holder.dateOfBirth);
  if (dateOfBirth !== undefined) claims.dateOfBirth = dateOfBirth;
  if (holder.facePhoto !== undefined) claims.face = [faceSample(holder.facePhoto)];
  return claims;
}

function faceSample(photo: NonNullable<CardHolder['facePhoto']>) {
  if (!(photo.bytes instanceof Uint8Array) || photo.bytes.length === 0) {
    throw invalidHolder('the face photo is empty');
  }
  if (photo.bytes.length > cardFacePhotoBytesMax) {
    throw new CredentialsError(
      'AMP_CARD_PHOTO_TOO_LARGE',
      `The face photo is ${photo.bytes.length} bytes; a card carries at most ${cardFacePhotoBytesMax}.`,
    );
  }
  const subFormat = faceSubFormats[photo.format];
  if (subFormat === undefined) throw invalidHolder(`photo format ${String(photo.format)}`);
  return { data: photo.bytes, format: biometricFormatImage, subFormat };
}

/** `YYYY-MM-DD` or `YYYYMMDD` → `YYYYMMDD`; `YYYY` → undefined; anything else is refused. */
function compactDateOfBirth(value: string): string | undefined {
  if (typeof value === 'string' && /^\d{4}$/.test(value)) return undefined;
  const match = typeof value === 'string' ? /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value) : null;
  if (match === null) throw invalidHolder('the date of birth is not YYYY-MM-DD, YYYYMMDD or YYYY');
  const [, year, month, day] = match as unknown as [string, string, string, string]; // Safe: 3 groups.
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) {
    throw invalidHolder(`${value} is not a calendar date`);
  }
  return `${year}${month}${day}`;
}

/**
 * Signs a card payload under the issuance profile: claim 169 in a CWT with `exp`, a random
 * 16-byte `cti` (and `iss` only if the profile names one), COSE_Sign1 with EdDSA and the 8-byte
 * kid, zlib, base45. There is no `iat`: it is optional in a CWT, costs 6 bytes, and says
 * nothing a verifier needs (key periods are checked against `exp`, see trust-list.ts). The
 * `cti` costs 18 bytes and is what makes the credential id unguessable: without it the payload
 * holds only what is printed on the card and the expiry, and the id could be computed.
 *
 * The codec's `encodeCredential` always writes `iat` and does not return the signed payload
 * the credential id is computed from, so this composes the codec's layers itself; tests check
 * that `decodeCredential` accepts the result.
 *
 * @example
 * const card = await encodeCard({ holder, signer: createNodeSigner(key.privateKey),
 *   issuedAt: Math.floor(Date.now() / 1000) });
 * card.text; // 'NCF…' for the QR; card.credentialId and card.cwtId for the issuance record
 */
export async function encodeCard(input: EncodeCardInput): Promise<EncodedCard> {
  const profile = checkProfile(input.profile ?? cardIssuanceProfileDefault);
  const primitives = input.primitives ?? nodePrimitives;
  if (!Number.isSafeInteger(input.issuedAt) || input.issuedAt < 0) {
    throw new CredentialsError('AMP_CARD_INVALID_PROFILE', 'issuedAt must be whole seconds.');
  }
  const claims = buildCardClaims(input.holder);
  const expiresAt = input.issuedAt + profile.validitySeconds;
  const meta: CwtMeta = { expiresAt };
  if (profile.issuer !== undefined) meta.issuer = profile.issuer;
  const cwtId =
    input.cwtId === undefined ? new Uint8Array(randomBytes(cardCwtIdBytes)) : input.cwtId;
  if (cwtId !== null) {
    // Stored ids come from a column that checks their length; a wrong one is a bug.
    assert.equal(cwtId.length, cardCwtIdBytes, 'a card cti has 16 bytes');
    meta.cwtId = cwtId;
  }
  const payload = encodeCwtClaims(meta, encodeClaim169(claims));
  const cose = await signCoseSign1(payload, input.signer);
  const text = encodeBase45(await primitives.deflate(cose));
  // A 200-byte name and a 1 KiB photo stay far below the codec's text bound.
  assert.ok(text.length <= credentialTextLengthMax, 'a card payload outgrew the text bound');
  return { text, credentialId: credentialIdFromPayload(payload), expiresAt, cwtId, claims };
}

function checkProfile(profile: CardIssuanceProfile): CardIssuanceProfile {
  const { validitySeconds, issuer } = profile;
  if (!Number.isSafeInteger(validitySeconds) || validitySeconds <= 0) {
    throw new CredentialsError('AMP_CARD_INVALID_PROFILE', 'validitySeconds must be positive.');
  }
  if (validitySeconds > cardValiditySecondsMax) {
    throw new CredentialsError(
      'AMP_CARD_INVALID_PROFILE',
      `validitySeconds is above the ${cardValiditySecondsMax}-second maximum.`,
    );
  }
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.length === 0)) {
    throw new CredentialsError('AMP_CARD_INVALID_PROFILE', 'issuer must be a non-empty string.');
  }
  return profile;
}

/**
 * The credential id: the first 16 bytes of SHA-256 over the signed CWT payload. It costs no QR
 * space beyond the payload's 16-byte `cti`, and it cannot be changed without breaking the
 * signature (re-compressing, re-tagging or re-encoding an ES256 signature leaves it unchanged).
 * It is unguessable without the card only because of that random `cti`: the rest of the
 * payload (UIN, name, date of birth, sex, expiry) is printed on the card or found in a
 * registry extract, and the expiry's second is one of 86,400 in the printed day. A card issued
 * before cards carried a `cti` has an id anyone knowing those facts can compute; reissuing it
 * removes that. Two cards get the same id only if every signed byte is the same.
 *
 * @example
 * credentialIdFromPayload(payload).length; // 16
 */
export function credentialIdFromPayload(payload: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash('sha256').update(payload).digest().subarray(0, credentialIdBytes),
  );
}

/**
 * The credential id of QR text. Call it on text `decodeCredential` accepted; other text
 * throws the codec's errors.
 *
 * @example
 * const { text } = await encodeCard(input);
 * credentialIdFromText(text); // equals the card's credentialId
 */
export async function credentialIdFromText(
  text: string,
  primitives: CodecPrimitives = nodePrimitives,
): Promise<Uint8Array> {
  const compressed = decodeBase45(text);
  const message = parseCoseSign1(
    await primitives.inflate(compressed, credentialDecompressedBytesMax),
  );
  return credentialIdFromPayload(message.payload);
}

function invalidHolder(detail: string): CredentialsError {
  return new CredentialsError(
    'AMP_CARD_INVALID_HOLDER',
    `Cannot put this holder on a card: ${detail}.`,
  );
}
