import { Type } from 'typebox';

/*
 * Response schemas of account administration, in src/shared/ because the console derives its
 * types from them. What is not here is never sent.
 */

/** A grant waiting for (or decided by) a second administrator. */
export const OperatorChangeSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  operatorId: Type.String({ format: 'uuid' }),
  operatorUsername: Type.String(),
  addRoles: Type.Array(Type.String()),
  addRegions: Type.Array(Type.String()),
  newCredentials: Type.Boolean(),
  requestedBy: Type.Object({ id: Type.String({ format: 'uuid' }), username: Type.String() }),
  requestedAt: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('refused')]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
});

export const OperatorSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  regions: Type.Array(Type.String()),
  createdAt: Type.String(),
  disabledAt: Type.Union([Type.String(), Type.Null()]),
  awaitingEnrolment: Type.Boolean(),
  pendingChange: Type.Union([OperatorChangeSchema, Type.Null()]),
});

/** The half of an enrolment code this administrator may see, once; never a password. */
const EnrolmentCodeSchema = Type.Object({
  first: Type.Union([Type.String(), Type.Null()]),
  second: Type.Union([Type.String(), Type.Null()]),
});

/** The answer of every step that changes an account. */
export const AdminResultSchema = Type.Object({
  operator: OperatorSchema,
  change: Type.Union([OperatorChangeSchema, Type.Null()]),
  enrolmentCode: Type.Union([EnrolmentCodeSchema, Type.Null()]),
});
