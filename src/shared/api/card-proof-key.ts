import { type Static, Type } from 'typebox';

/**
 * The administrators' view of the offline card-proof key (docs/DISTRIBUTION.md, "Key management
 * and rotation"): its versions and where each stands, never key material — the private keys are
 * derived from the master key and stored nowhere, and not even the public key or its id is
 * answered (a snapshot publishes the current one to the devices that need it).
 *
 * @example
 *   GET /api/distribution/card-proof-key?purpose=distribution
 *   // { openAfterSnapshotsDays: 30, versions: [{ version: 2, state: 'current', … }, …] }
 */
export const ProofKeyStateSchema = Type.Union([
  Type.Literal('current'),
  Type.Literal('open'),
  Type.Literal('closed'),
]);

export const ProofKeyVersionSchema = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  createdAt: Type.String({ format: 'date-time' }),
  /** What made it: migration 0158 (version 1), the command on the server, or the console. */
  createdBy: Type.Union([
    Type.Literal('migration'),
    Type.Literal('command_line'),
    Type.Literal('console'),
  ]),
  /** When snapshots stopped publishing it (the next version was made); null while current. */
  retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The latest expiry of a snapshot that published it; null if none did. */
  lastSnapshotExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Until when the sync opens receipts sealed to it; null while current (it opens). */
  openUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  state: ProofKeyStateSchema,
});
export type ProofKeyVersionState = Static<typeof ProofKeyVersionSchema>;

export const ProofKeyListSchema = Type.Object({
  /** The window in force (AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS). */
  openAfterSnapshotsDays: Type.Integer({ minimum: 1 }),
  /** Newest first, at most `limits.distribution.offline.proofKeyVersionsListMax`. */
  versions: Type.Array(ProofKeyVersionSchema),
});
export type ProofKeyList = Static<typeof ProofKeyListSchema>;

export const ProofKeyRotationBody = Type.Object(
  {
    /** The version the administrator saw current: a rotation by someone else since is a 409. */
    currentVersion: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);

export const ProofKeyRotationSchema = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  previousVersion: Type.Integer({ minimum: 1 }),
});
