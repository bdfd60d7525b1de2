import { Type } from 'typebox';

/*
 * Response schemas of the audit routes that the console reads: the routes answer through them
 * (the response schema is the presenter) and the console derives its types from them. Hashes
 * and signatures are lower-case hex, the form `amparo audit verify` prints, so a published head
 * can be compared by eye.
 */

export const Hash = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'SHA-256, lower-case hex',
});
export const Size = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** A signed tree head as the API publishes it (and the witness file stores it). */
export const TreeHeadView = Type.Object({
  treeSize: Size,
  rootHash: Hash,
  timestampMs: Type.Integer({ minimum: 0, description: 'Signed: milliseconds since the epoch' }),
  signedAt: Type.String({ format: 'date-time' }),
  keyId: Type.String({ description: 'Id of the Ed25519 audit signing key' }),
  signature: Type.String({
    pattern: '^[0-9a-f]{128}$',
    description: 'Ed25519 over the amparo/audit-tree-head/v1 bytes, hex',
  }),
});

/** One line of a person's access history, with its inclusion proof. */
export const AccessHistoryLine = Type.Object({
  leafIndex: Type.Integer(),
  time: Type.String(),
  actorKind: Type.Union([
    Type.Literal('operator'),
    Type.Literal('citizen'),
    Type.Literal('system'),
  ]),
  role: Type.Union([Type.String(), Type.Null()]),
  region: Type.Union([Type.String(), Type.Null()]),
  purpose: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  outcome: Type.Union([Type.Literal('allowed'), Type.Literal('denied')]),
  entryText: Type.String(),
  proof: Type.Array(Type.String()),
  /**
   * Present when the line is a distribution point's offline list (a snapshot for a device)
   * that held the person: the entry is the list's, on the point; the point, the device and the
   * snapshot's date name it.
   */
  offlineList: Type.Optional(
    Type.Object({
      pointCode: Type.String(),
      pointName: Type.String(),
      deviceLabel: Type.String(),
      /** When the snapshot was built (ISO 8601). */
      snapshotIssuedAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

/** `GET /api/persons/:personId/access-history`: who looked at the record (safeguard 4). */
export const AccessHistoryResponse = Type.Object({
  treeHead: TreeHeadView,
  entries: Type.Array(AccessHistoryLine),
  nextCursor: Type.Union([Type.Integer(), Type.Null()]),
});

/** The audit public keys that let anyone check the signed tree heads. */
export const AuditKeysResponse = Type.Object({
  keys: Type.Array(
    Type.Object({
      keyId: Type.String(),
      algorithm: Type.Literal('Ed25519'),
      publicKey: Type.String(),
    }),
  ),
});

const Text = Type.String({ maxLength: 200 });
const NullableText = Type.Union([Text, Type.Null()]);

/** `GET /api/audit/entries`, the presenter: an entry's own fields (ids and field names, never attribute values). */
export const AuditEntryList = Type.Object({
  entries: Type.Array(
    Type.Object({
      leafIndex: Type.Integer(),
      time: Type.String(),
      actor: Type.Object({
        kind: Type.Union([
          Type.Literal('operator'),
          Type.Literal('citizen'),
          Type.Literal('system'),
        ]),
        id: Text,
        role: NullableText,
        region: NullableText,
      }),
      action: Text,
      resource: Type.Object({ type: Text, id: NullableText }),
      purpose: NullableText,
      fields: Type.Array(Text),
      outcome: Type.Union([Type.Literal('allowed'), Type.Literal('denied')]),
      reasonCode: NullableText,
      requestId: NullableText,
    }),
  ),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
});
