import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  keyIdOf,
  type SignedTreeHead,
  signTreeHead,
  treeHeadBytes,
  verifyTreeHead,
} from './index.js';
import { rootsHexBySize } from './rfc6962-test-vectors.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const rootHash = Uint8Array.from(Buffer.from(rootsHexBySize[8], 'hex'));
const head = { size: 8, rootHash, timestampMs: 1_700_000_000_000, keyId: 'log-2025.a' };

describe('tree head serialisation', () => {
  it('lays out tag, u64 size, u64 timestamp, root, length-prefixed key id', () => {
    const expectedHex =
      Buffer.from('amparo/audit-tree-head/v1\n', 'ascii').toString('hex') +
      '0000000000000008' +
      '0000018bcfe56800' +
      rootsHexBySize[8] +
      '0a' +
      Buffer.from('log-2025.a', 'ascii').toString('hex');
    expect(Buffer.from(treeHeadBytes(head)).toString('hex')).toBe(expectedHex);
  });

  it('refuses fields that have no canonical encoding', () => {
    expect(() => treeHeadBytes({ ...head, size: -1 })).toThrow(RangeError);
    expect(() => treeHeadBytes({ ...head, size: 1.5 })).toThrow(RangeError);
    expect(() => treeHeadBytes({ ...head, timestampMs: Number.NaN })).toThrow(RangeError);
    expect(() => treeHeadBytes({ ...head, rootHash: rootHash.subarray(1) })).toThrow(RangeError);
    expect(() => treeHeadBytes({ ...head, keyId: '' })).toThrow(RangeError);
    expect(() => treeHeadBytes({ ...head, keyId: 'ключ' })).toThrow(RangeError);
    expect(() => treeHeadBytes({ ...head, keyId: 'k'.repeat(65) })).toThrow(RangeError);
  });
});

describe('signed tree heads', () => {
  const signed = signTreeHead(head, privateKey);

  it('verifies with the signing key and not with another key', () => {
    expect(signed.signature).toHaveLength(64);
    expect(verifyTreeHead(signed, publicKey)).toBe(true);
    expect(verifyTreeHead(signed, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });

  it('fails when any signed field or the signature is altered', () => {
    const flipped = Uint8Array.from(rootHash);
    flipped[31] = flipped[31]! ^ 1;
    const badSignature = Uint8Array.from(signed.signature);
    badSignature[0] = badSignature[0]! ^ 1;
    const tampered: SignedTreeHead[] = [
      { ...signed, size: 9 },
      { ...signed, size: 7 },
      { ...signed, rootHash: flipped },
      { ...signed, timestampMs: head.timestampMs + 1 },
      { ...signed, keyId: 'log-2025.b' },
      { ...signed, signature: badSignature },
      { ...signed, signature: signed.signature.subarray(0, 63) },
      { ...signed, keyId: '' },
    ];
    for (const candidate of tampered) expect(verifyTreeHead(candidate, publicKey)).toBe(false);
  });

  it('is not affected by the caller mutating its root buffer after signing', () => {
    const mutable = Uint8Array.from(rootHash);
    const result = signTreeHead({ ...head, rootHash: mutable }, privateKey);
    mutable[0] = mutable[0]! ^ 0xff;
    expect(verifyTreeHead(result, publicKey)).toBe(true);
  });

  it('refuses keys that are not Ed25519 keys of the right kind', () => {
    const ecKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => signTreeHead(head, ecKeys.privateKey)).toThrow(TypeError);
    expect(() => signTreeHead(head, publicKey)).toThrow(TypeError);
    expect(() => verifyTreeHead(signed, ecKeys.publicKey)).toThrow(TypeError);
  });

  it('names a key by the SHA-256 of its SubjectPublicKeyInfo', () => {
    const der = publicKey.export({ format: 'der', type: 'spki' });
    expect(der.subarray(0, 12).toString('hex')).toBe('302a300506032b6570032100'); // RFC 8410 prefix
    expect(keyIdOf(publicKey)).toBe(createHash('sha256').update(der).digest('hex'));
    expect(keyIdOf(generateKeyPairSync('ed25519').publicKey)).not.toBe(keyIdOf(publicKey));
    const usable = signTreeHead({ ...head, keyId: keyIdOf(publicKey) }, privateKey);
    expect(verifyTreeHead(usable, publicKey)).toBe(true);
  });
});
