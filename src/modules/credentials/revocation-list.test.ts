import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSigningKey } from './card-test-kit.js';
import { CredentialsError } from './credentials-error.js';
import {
  appendRevocations,
  deltaSince,
  emptyRevocationList,
  RevocationState,
  revocationHash,
  signRevocationList,
  verifyRevocationList,
} from './revocation-list.js';

const anchorKey = makeSigningKey();
const publish = (list: Parameters<typeof signRevocationList>[0]) =>
  verifyRevocationList(JSON.stringify(signRevocationList(list, anchorKey)), anchorKey.publicKey);

function errorCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof CredentialsError ? error.code : 'not a CredentialsError';
  }
  return undefined;
}

describe('revocation list', () => {
  const ids = Array.from({ length: 4 }, () => new Uint8Array(randomBytes(16)));
  const v1 = appendRevocations(
    emptyRevocationList(1),
    [{ credentialId: ids[0]!, reason: 'lost' }],
    10,
  );
  const v2 = appendRevocations(v1, [{ credentialId: ids[1]!, reason: 'stolen' }], 20);
  const v3 = appendRevocations(
    v2,
    [
      { credentialId: ids[2]!, reason: 'deceased' },
      { credentialId: ids[0]!, reason: 'reissued' },
    ],
    30,
  );

  it('holds the first 128 bits of SHA-256 of each credential id, never the id', () => {
    const expected = createHash('sha256').update(ids[0]!).digest().subarray(0, 16);
    expect(Buffer.from(v3.entries[0]!.hash, 'base64url')).toEqual(expected);
    expect(JSON.stringify(v3)).not.toContain(Buffer.from(ids[0]!).toString('base64url'));
    expect(v3.entries.map((entry) => [entry.reason, entry.version])).toEqual([
      ['lost', 1],
      ['stolen', 2],
      ['deceased', 3],
    ]);
  });

  it('lets a verifier apply a base list and deltas offline', () => {
    const state = new RevocationState(publish(v1));
    state.apply(publish(deltaSince(v3, 1)));
    expect(state.version).toBe(3);
    expect(ids.map((id) => state.reasonFor(id))).toEqual(['lost', 'stolen', 'deceased', undefined]);
    expect(deltaSince(v3, 1).entries.map((entry) => entry.hash)).toEqual(
      [ids[1]!, ids[2]!].map(revocationHash),
    );
  });

  it('refuses a delta whose base version does not match, and leaves the state as it was', () => {
    const state = new RevocationState(publish(v1));
    const fromTwo = publish(deltaSince(v3, 2));
    expect(errorCode(() => state.apply(fromTwo))).toBe('AMP_LIST_VERSION_MISMATCH');
    expect(state.version).toBe(1);
    expect(state.reasonFor(ids[2]!)).toBeUndefined();
    expect(errorCode(() => deltaSince(v3, 4))).toBe('AMP_LIST_VERSION_MISMATCH');
  });

  it('refuses a tampered list: a removed entry breaks the signature', () => {
    const signed = signRevocationList(v3, anchorKey);
    const removed = {
      ...signed,
      payload: { ...signed.payload, entries: signed.payload.entries.slice(1) },
    };
    const code = errorCode(() =>
      verifyRevocationList(JSON.stringify(removed), anchorKey.publicKey),
    );
    expect(code).toBe('AMP_LIST_BAD_SIGNATURE');
  });

  it('refuses entries outside the versions a delta covers', () => {
    const delta = { ...deltaSince(v3, 2), entries: v3.entries };
    expect(errorCode(() => publish(delta))).toBe('AMP_LIST_MALFORMED');
  });
});
