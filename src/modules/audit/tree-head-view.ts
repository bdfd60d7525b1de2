import type { Static } from 'typebox';
import type { TreeHeadView } from '../../shared/api/audit.js';
import type { TreeHeadRow } from './audit-repository.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The published form of a stored head: the API's, the witness file's and the CLI's. */
export function treeHeadView(head: TreeHeadRow): Static<typeof TreeHeadView> {
  return {
    treeSize: head.treeSize,
    rootHash: hex(head.rootHash),
    timestampMs: head.signedAt.getTime(),
    signedAt: head.signedAt.toISOString(),
    keyId: head.keyId,
    signature: hex(head.signature),
  };
}
