// Type.Enum rather than a mapped Type.Union of literals: it keeps the literal types.
import { Type } from 'typebox';

/** Why a person may be erased: a fixed list, so that no free text (and no personal data) creeps in. */
export const erasureReasonCodes = [
  'person_request',
  'court_order',
  'duplicate_of_erased',
  'deceased_retention_expired',
] as const;
export type ErasureReasonCode = (typeof erasureReasonCodes)[number];

export const erasureStatuses = ['pending', 'executed', 'withdrawn'] as const;
export type ErasureStatus = (typeof erasureStatuses)[number];

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const NullableId = Type.Union([Type.String({ format: 'uuid' }), Type.Null()]);

/** The presenter: identifiers, ground and dates; never an attribute of the person. */
export const ErasureRequestSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  personId: Type.String({ format: 'uuid' }),
  uin: Type.String({ description: 'ID number, to check against the order or request on file' }),
  regionCode: Type.String(),
  reasonCode: Type.Enum(erasureReasonCodes, { description: 'Legal ground' }),
  reference: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(erasureStatuses, { description: 'pending, executed or withdrawn' }),
  requestedBy: Type.Object({ id: Type.String({ format: 'uuid' }), username: Type.String() }),
  requestedAt: Timestamp,
  approvedBy: NullableId,
  approvedAt: NullableTimestamp,
  executedAt: NullableTimestamp,
  withdrawnBy: NullableId,
  withdrawnAt: NullableTimestamp,
});

export const ErasureRequestList = Type.Object({ items: Type.Array(ErasureRequestSchema) });
