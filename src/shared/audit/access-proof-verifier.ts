/**
 * Verifies one line of a person's access history the way their browser does: recompute the
 * entry's leaf hash from its text, climb the inclusion proof to a root (RFC 9162 §2.1.3.2),
 * and check that root against a tree head signed with the published audit key.
 *
 * Browser-safe: WebCrypto only, no `node:` imports, so the citizen page runs this very code.
 *
 * @example
 *   const verdict = await verifyAccessEntry({ entryText, leafIndex, proof, treeHead, publicKeyRaw });
 *   verdict.ok; // true when the entry is in the signed log
 */
export interface SignedTreeHeadView {
  treeSize: number;
  rootHash: string;
  timestampMs: number;
  keyId: string;
  signature: string;
}

export interface AccessEntryProof {
  entryText: string;
  leafIndex: number;
  proof: readonly string[];
  treeHead: SignedTreeHeadView;
  /** The audit signing key's raw 32-byte Ed25519 public key. */
  publicKeyRaw: Uint8Array;
}

export type AccessProofVerdict =
  | { ok: true }
  | { ok: false; reason: 'bad_signature' | 'not_in_log' | 'malformed' };

const encoder = new TextEncoder();
const headTag = encoder.encode('amparo/audit-tree-head/v1\n');

export async function verifyAccessEntry(input: AccessEntryProof): Promise<AccessProofVerdict> {
  let root: Uint8Array;
  let proof: Uint8Array[];
  let signature: Uint8Array;
  try {
    root = fromHex(input.treeHead.rootHash);
    proof = input.proof.map(fromHex);
    signature = fromHex(input.treeHead.signature);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!(await signatureHolds(input.treeHead, root, signature, input.publicKeyRaw))) {
    return { ok: false, reason: 'bad_signature' };
  }
  const leaf = await sha256(concat(Uint8Array.of(0), encoder.encode(input.entryText)));
  const computed = await rootFromProof(leaf, input.leafIndex, input.treeHead.treeSize, proof);
  return computed !== null && equal(computed, root)
    ? { ok: true }
    : { ok: false, reason: 'not_in_log' };
}

/** The canonical tree-head bytes, identical to `treeHeadBytes` in merkle/tree-head.ts (tested). */
export function treeHeadMessage(head: SignedTreeHeadView, root: Uint8Array): Uint8Array {
  const keyId = encoder.encode(head.keyId);
  const bytes = new Uint8Array(headTag.length + 8 + 8 + 32 + 1 + keyId.length);
  const view = new DataView(bytes.buffer);
  bytes.set(headTag, 0);
  view.setBigUint64(headTag.length, BigInt(head.treeSize));
  view.setBigUint64(headTag.length + 8, BigInt(head.timestampMs));
  bytes.set(root, headTag.length + 16);
  bytes[headTag.length + 48] = keyId.length;
  bytes.set(keyId, headTag.length + 49);
  return bytes;
}

async function signatureHolds(
  head: SignedTreeHeadView,
  root: Uint8Array,
  signature: Uint8Array,
  publicKeyRaw: Uint8Array,
) {
  try {
    // Fresh copies: WebCrypto's browser typings take ArrayBuffer-backed views only.
    const key = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(publicKeyRaw),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    return await crypto.subtle.verify(
      { name: 'Ed25519' },
      key,
      new Uint8Array(signature),
      new Uint8Array(treeHeadMessage(head, root)),
    );
  } catch {
    return false;
  }
}

/** RFC 9162 §2.1.3.2; null when the proof does not fit the index and size. */
async function rootFromProof(
  leaf: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: Uint8Array[],
) {
  if (
    !Number.isSafeInteger(leafIndex) ||
    !Number.isSafeInteger(treeSize) ||
    leafIndex < 0 ||
    leafIndex >= treeSize
  )
    return null;
  // Plain arithmetic, not bit operators: indexes may exceed 2^32.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let hash = leaf;
  for (const sibling of proof) {
    if (sn === 0 || sibling.length !== 32) return null;
    if (fn % 2 === 1 || fn === sn) {
      hash = await sha256(concat(Uint8Array.of(1), sibling, hash));
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      hash = await sha256(concat(Uint8Array.of(1), hash, sibling));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? hash : null;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) throw new Error('not hex');
  const out = new Uint8Array(text.length / 2);
  for (let index = 0; index < out.length; index += 1)
    out[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16);
  return out;
}
