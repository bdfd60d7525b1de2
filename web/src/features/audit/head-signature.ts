import { treeHeadMessage } from '../../../../src/shared/audit/access-proof-verifier.js';
import type { AuditKeys, TreeHead } from '../../api/types.js';
import { hexBytes } from '../access-history/verify-history.js';

/**
 * True when `head` carries a valid Ed25519 signature of a published audit key (WebCrypto).
 * No DOM APIs: the audit page and the citizen's head memory share it, and tests run it in Node.
 */
export async function headSignatureHolds(head: TreeHead, keys: AuditKeys): Promise<boolean> {
  const key = keys.keys.find((candidate) => candidate.keyId === head.keyId);
  if (!key || !/^[0-9a-f]{64}$/.test(key.publicKey) || !/^[0-9a-f]{64}$/.test(head.rootHash)) {
    return false;
  }
  try {
    const publicKey = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(hexBytes(key.publicKey)),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    return await crypto.subtle.verify(
      { name: 'Ed25519' },
      publicKey,
      new Uint8Array(hexBytes(head.signature)),
      new Uint8Array(treeHeadMessage(head, hexBytes(head.rootHash))),
    );
  } catch {
    return false;
  }
}
