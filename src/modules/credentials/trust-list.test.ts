import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeCard } from './card-payload.js';
import { issuedAtExample, makeHolder, makeSigningKey } from './card-test-kit.js';
import { CredentialsError } from './credentials-error.js';
import { cardValiditySecondsDefault } from './limits.js';
import { createNodeSigner } from './node-primitives.js';
import { emptyRevocationList, signRevocationList } from './revocation-list.js';
import { anchorFromHex, canonicalJson } from './signed-document.js';
import {
  buildTrustList,
  rotateTrustList,
  signTrustList,
  trustedKeysFromList,
  verifyTrustList,
} from './trust-list.js';
import { judgeCredential } from './verdict.js';

const anchorKey = makeSigningKey();
const anchor = anchorKey.publicKey;
const day = 86_400;
const year = 365 * day;

function errorCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof CredentialsError ? error.code : 'not a CredentialsError';
  }
  return undefined;
}

function listWith(keyA = makeSigningKey()) {
  return buildTrustList({
    version: 1,
    issuedAt: issuedAtExample,
    issuerName: 'Amparo · Venezuela',
    credentialValiditySecondsMax: cardValiditySecondsDefault,
    keys: [{ publicKey: keyA.publicKey, notBefore: issuedAtExample }],
  });
}

describe('signed trust list', () => {
  it('round-trips through a pretty-printed file and keeps kids derived from the keys', () => {
    const keyA = makeSigningKey();
    const file = JSON.stringify(signTrustList(listWith(keyA), anchorKey), null, 2);
    const list = verifyTrustList(file, anchor);
    expect(list.keys.map((key) => key.kid)).toEqual([keyA.kid]);
    expect(list.version).toBe(1);
  });

  it('refuses a list signed by another key, an edited list, and a revocation list', () => {
    const signed = signTrustList(listWith(), anchorKey);
    const foreign = JSON.stringify(signTrustList(listWith(), makeSigningKey()));
    expect(errorCode(() => verifyTrustList(foreign, anchor))).toBe('AMP_LIST_BAD_SIGNATURE');
    const edited = {
      ...signed,
      payload: { ...signed.payload, credentialValiditySecondsMax: 99 * year },
    };
    expect(errorCode(() => verifyTrustList(JSON.stringify(edited), anchor))).toBe(
      'AMP_LIST_BAD_SIGNATURE',
    );
    const revocations = JSON.stringify(signRevocationList(emptyRevocationList(1), anchorKey));
    expect(errorCode(() => verifyTrustList(revocations, anchor))).toBe('AMP_LIST_MALFORMED');
    expect(errorCode(() => verifyTrustList('{"payload":', anchor))).toBe('AMP_LIST_MALFORMED');
  });

  it('refuses a key whose kid does not match it, even when correctly signed', () => {
    const list = listWith();
    const bad = { ...list, keys: [{ ...list.keys[0], kid: '0011223344556677' }] };
    // Sign the tampered payload directly: the signature is fine, the content is not.
    const document = { payload: bad, signature: signTrustList(list, anchorKey).signature };
    document.signature.value = sign(
      null,
      Buffer.from(canonicalJson(bad)),
      anchorKey.privateKey,
    ).toString('base64url');
    expect(errorCode(() => verifyTrustList(JSON.stringify(document), anchor))).toBe(
      'AMP_LIST_MALFORMED',
    );
  });

  it('reads the anchor from hex', () => {
    const hex = anchor.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    const file = JSON.stringify(signTrustList(listWith(), anchorKey));
    expect(verifyTrustList(file, anchorFromHex(hex)).version).toBe(1);
    expect(errorCode(() => anchorFromHex('abc'))).toBe('AMP_LIST_MALFORMED');
  });
});

describe('key rotation', () => {
  it('keeps old cards valid, signs new ones with the new key, and refuses late cards of the old key', async () => {
    const keyA = makeSigningKey();
    const keyB = makeSigningKey();
    const v1 = listWith(keyA);
    const rotatedAt = issuedAtExample + year;
    const v2 = rotateTrustList(v1, { newKey: keyB.publicKey, rotatedAt, issuedAt: rotatedAt });
    expect(v2.version).toBe(2);
    expect(v2.keys.map((key) => [key.kid, key.notBefore, key.notAfter])).toEqual([
      [keyA.kid, issuedAtExample, rotatedAt],
      [keyB.kid, rotatedAt, undefined],
    ]);
    const trusted = trustedKeysFromList(
      verifyTrustList(JSON.stringify(signTrustList(v2, anchorKey)), anchor),
    );
    const issue = (key: typeof keyA, issuedAt: number) =>
      encodeCard({ holder: makeHolder(), signer: createNodeSigner(key.privateKey), issuedAt });

    const oldCard = await issue(keyA, issuedAtExample + day);
    const newCard = await issue(keyB, rotatedAt + day);
    const lateCard = await issue(keyA, rotatedAt + day);
    const now = rotatedAt + 2 * day;
    expect((await judgeCredential(oldCard.text, { trusted, now })).status).toBe('valid');
    expect((await judgeCredential(newCard.text, { trusted, now })).status).toBe('valid');
    const late = await judgeCredential(lateCard.text, { trusted, now });
    expect([late.status, late.code]).toEqual(['unknown-key', 'AMP_VERIFY_KEY_NOT_ISSUING']);
    // The old card stays valid until its own expiry, years after the rotation.
    expect(
      (await judgeCredential(oldCard.text, { trusted, now: oldCard.expiresAt - day })).status,
    ).toBe('valid');
    expect(
      (await judgeCredential(oldCard.text, { trusted, now: oldCard.expiresAt + day })).status,
    ).toBe('expired');
  });
});
