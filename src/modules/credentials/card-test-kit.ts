/**
 * Test helpers shared by this module's test files: holders, issuer keys and a trust-list
 * anchor. Not used by production code.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { SigningKey } from '../../platform/crypto/key-store.js';
import { kidOf } from '../../platform/crypto/key-store.js';
import { decodeBase45 } from '../../shared/claim169/base45.js';
import { parseCoseSign1 } from '../../shared/claim169/cose-sign1.js';
import { credentialDecompressedBytesMax } from '../../shared/claim169/limits.js';
import { generateUin } from '../registry/uin/index.js';
import type { CardHolder } from './card-payload.js';
import { nodePrimitives } from './node-primitives.js';

/** A fresh Ed25519 key in the key store's shape. */
export function makeSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid: kidOf(publicKey), privateKey, publicKey };
}

export function makeHolder(overrides: Partial<CardHolder> = {}): CardHolder {
  return {
    uin: generateUin(),
    fullName: 'María Fernanda Rodríguez Pérez',
    dateOfBirth: '1988-01-02',
    sex: 'female',
    ...overrides,
  };
}

/** 2026-01-01T00:00:00Z, in seconds. */
export const issuedAtExample = 1_767_225_600;

/** The signed CWT payload of a card's QR text, unverified: for tests that look inside. */
export function signedPayloadOf(text: string): Uint8Array {
  const cose = nodePrimitives.inflate(decodeBase45(text), credentialDecompressedBytesMax);
  return parseCoseSign1(cose as Uint8Array).payload; // Safe: Node's inflate is synchronous.
}
