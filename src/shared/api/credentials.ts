import { Type } from 'typebox';

/*
 * Response schemas of the credentials routes that the console reads; the routes answer through
 * them and the console derives its types from them.
 */

/** The revocation reasons, spelled out so TypeBox infers the literal union (see revocation-list.ts). */
export const ReasonSchema = Type.Union([
  Type.Literal('lost'),
  Type.Literal('stolen'),
  Type.Literal('reissued'),
  Type.Literal('deceased'),
]);

/** A person's cards: the facts of each, newest first; nothing about the holder. */
export const PersonCredentialsSchema = Type.Object({
  credentials: Type.Array(
    Type.Object({
      credentialId: Type.String(),
      status: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
      issuedAt: Type.String({ format: 'date-time' }),
      expiresAt: Type.String({ format: 'date-time' }),
      kid: Type.String({ description: 'The issuer key that signed the card' }),
      revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      revocationReason: Type.Union([ReasonSchema, Type.Null()]),
    }),
  ),
  truncated: Type.Boolean({ description: 'True when older cards were left off' }),
});
