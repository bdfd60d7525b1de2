import { Type } from 'typebox';

/*
 * Response schemas of the session and alert routes that the console reads; the routes answer
 * through them and the console derives its types from them.
 */

/** `GET /api/auth/me`: who is signed in. */
export const MeResponse = Type.Union([
  Type.Object({
    kind: Type.Literal('operator'),
    /** The account's id: the offline point of service names it in each receipt it signs. */
    operatorId: Type.String({ format: 'uuid' }),
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(Type.String()),
    regions: Type.Array(Type.String()),
    passwordChangeRequired: Type.Boolean(),
    sessionKind: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
  Type.Object({
    kind: Type.Literal('citizen'),
    sessionKind: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
]);

/** `GET /api/alerts`: security alerts (bulk reading beyond quota), newest first. */
export const AlertList = Type.Object({
  alerts: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      operatorId: Type.Union([Type.String(), Type.Null()]),
      details: Type.Object({}, { additionalProperties: true }),
      createdAt: Type.String({ format: 'date-time' }),
    }),
  ),
});
