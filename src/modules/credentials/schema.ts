import { Type } from 'typebox';
import { ReasonSchema } from '../../shared/api/credentials.js';

/** TypeBox schemas of the credentials routes; the response schemas are the presenters. */

export const CredentialIdParams = Type.Object({
  credentialId: Type.String({
    pattern: '^[0-9a-f]{32}$',
    description: 'Credential id: 16 bytes, hex',
  }),
});

export const IssueBody = Type.Object(
  { clientId: Type.String({ format: 'uuid', description: 'Client-generated id of this write' }) },
  { additionalProperties: false },
);

export const IssueAnswerSchema = Type.Object({
  credentialId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  replacedCredentialId: Type.Union([Type.String(), Type.Null()]),
  qrText: Type.String({ description: 'The QR code text (base45): what the card carries' }),
});

export const RevokeBody = Type.Object({ reason: ReasonSchema }, { additionalProperties: false });

export const RevokeAnswerSchema = Type.Object({
  credentialId: Type.String(),
  reason: ReasonSchema,
  revocationListVersion: Type.Integer(),
});

export const RevocationListQuery = Type.Object({
  since: Type.Optional(
    Type.Integer({ minimum: 0, description: 'A delta of the entries added after this version' }),
  ),
});

const SignatureSchema = Type.Object({
  alg: Type.Literal('EdDSA'),
  kid: Type.String(),
  value: Type.String(),
});

export const SignedTrustListSchema = Type.Object({
  payload: Type.Object({
    format: Type.Literal('amparo.trust-list.v1'),
    version: Type.Integer(),
    issuedAt: Type.Integer(),
    issuerName: Type.String(),
    credentialValiditySecondsMax: Type.Integer(),
    keys: Type.Array(
      Type.Object({
        kid: Type.String(),
        alg: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256')]),
        publicKey: Type.String(),
        notBefore: Type.Integer(),
        notAfter: Type.Optional(Type.Integer()),
      }),
    ),
  }),
  signature: SignatureSchema,
});

export const SignedRevocationListSchema = Type.Object({
  payload: Type.Object({
    format: Type.Literal('amparo.revocation-list.v1'),
    kind: Type.Union([Type.Literal('full'), Type.Literal('delta')]),
    version: Type.Integer(),
    baseVersion: Type.Integer(),
    issuedAt: Type.Integer(),
    entries: Type.Array(
      Type.Object({
        hash: Type.String(),
        reason: ReasonSchema,
        version: Type.Integer(),
      }),
    ),
  }),
  signature: SignatureSchema,
});

/** The public key verifiers pin, and where to set a verifier up with it. */
export const TrustAnchorSchema = Type.Object({
  anchor: Type.String({
    pattern: '^[0-9a-f]{64}$',
    description: 'Ed25519 public key that signs the trust and revocation lists, 64 hex digits',
  }),
  kid: Type.String({ description: 'First 8 bytes of SHA-256 of the key, hex' }),
  alg: Type.Literal('EdDSA'),
  trustList: Type.String({ description: 'Path of the signed trust list' }),
  revocationList: Type.String({ description: 'Path of the signed revocation list' }),
  verifierSetup: Type.String({
    description: 'Path of the console verifier with this anchor filled in',
  }),
});
