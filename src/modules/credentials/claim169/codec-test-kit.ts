/**
 * Test helpers shared by the codec's test files: keys, a typical card, and hand-built COSE
 * messages for cases the encoder refuses to produce. Not used by production code.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import { encodeBase45 } from '../../../shared/claim169/base45.js';
import { encodeCbor, tagged } from '../../../shared/claim169/cbor.js';
import type { Claim169 } from '../../../shared/claim169/claim169.js';
import type {
  CredentialSigner,
  VerificationKey,
} from '../../../shared/claim169/codec-primitives.js';
import { sigStructure } from '../../../shared/claim169/cose-sign1.js';
import type { CredentialContent } from '../../../shared/claim169/credential.js';
import { CredentialCodecError } from '../../../shared/claim169/credential-codec-error.js';
import { createNodeSigner, nodePrimitives, rawPublicKey } from '../node-primitives.js';

export interface TestIssuer {
  privateKey: KeyObject;
  signer: CredentialSigner;
  key: VerificationKey;
}

export function makeIssuer(type: 'ed25519' | 'p256' = 'ed25519'): TestIssuer {
  const { privateKey } =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = createNodeSigner(privateKey);
  return {
    privateKey,
    signer,
    key: { algorithm: signer.algorithm, publicKey: rawPublicKey(privateKey) },
  };
}

/** 2026-01-01T00:00:00Z and five years later. */
export const issuedAt = 1_767_225_600;
export const expiresAt = issuedAt + 5 * 365 * 24 * 3600;

export const typicalClaims: Claim169 = {
  id: '4829175036',
  fullName: 'María Fernanda Rodríguez Pérez',
  dateOfBirth: '19880102',
  gender: 'female',
};

export function typicalContent(claims: Claim169 = typicalClaims): CredentialContent {
  return { claims, issuer: 'https://amparo.example', issuedAt, expiresAt };
}

/** A resolver that knows `keys` and records the kids it was asked for. */
export function resolverFor(keys: VerificationKey[], kids: (Uint8Array | undefined)[] = []) {
  return (kid: Uint8Array | undefined) => {
    kids.push(kid);
    return keys;
  };
}

/** zlib + base45 around any COSE bytes, the way a forger would package them. */
export function packCose(cose: Uint8Array): string {
  return encodeBase45(nodePrimitives.deflate(cose) as Uint8Array); // Safe: Node deflate is sync.
}

export interface HandBuiltMessage {
  protectedHeader: Map<unknown, unknown>;
  unprotectedHeader?: Map<unknown, unknown>;
  payload: Uint8Array;
  signer: CredentialSigner;
  tag?: number | undefined;
}

/** Builds and signs a COSE_Sign1 with arbitrary headers. */
export async function buildCose(message: HandBuiltMessage): Promise<Uint8Array> {
  const protectedBytes = encodeCbor(message.protectedHeader);
  const signature = await message.signer.sign(sigStructure(protectedBytes, message.payload));
  const parts = [
    protectedBytes,
    message.unprotectedHeader ?? new Map(),
    message.payload,
    signature,
  ];
  return encodeCbor(message.tag === undefined ? parts : tagged(message.tag, parts));
}

/** The code of the CredentialCodecError a promise rejects with; fails if it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const outcome = await promise.then(
    () => 'resolved',
    (caught: unknown) => caught,
  );
  expect(outcome).toBeInstanceOf(CredentialCodecError);
  return (outcome as CredentialCodecError).code; // Safe: asserted just above.
}
