// Type.Enum rather than a mapped Type.Union of literals: it keeps the literal types.
import { Type } from 'typebox';
import { purposes } from '../../../shared/access/actor.js';
import { erasureLimits } from './limits.js';
import { erasureReasonCodes, erasureStatuses } from './tables.js';

const PurposeProperty = Type.Enum(purposes, {
  description:
    'Why: erasure is decided for purpose appeal; any other purpose is refused and audited',
});

/** `?purpose=appeal` on the request route (required there by policy, checked and audited). */
export const ErasurePurposeQuery = Type.Object(
  { purpose: Type.Optional(PurposeProperty) },
  { additionalProperties: false },
);

export const ErasurePersonParams = Type.Object({ personId: Type.String({ format: 'uuid' }) });
export const ErasureIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ErasureRequestBody = Type.Object(
  {
    reasonCode: Type.Enum(erasureReasonCodes, { description: 'Legal ground, from a fixed list' }),
    reference: Type.Optional(
      Type.String({
        description:
          'Case or file number of the supporting document: one token with a digit, e.g. TSJ-2026-00123',
        minLength: 1,
        maxLength: erasureLimits.referenceLengthMax,
        // Same rule as the database check: no spaces and at least one digit, so no names.
        pattern: '^(?=.*[0-9])[A-Za-z0-9][A-Za-z0-9./_:#-]*$',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The same request naming the person by the ID number on the order (administrators read no records). */
export const ErasureRequestByUinBody = Type.Object(
  {
    uin: Type.String({
      pattern: '^[0-9]{10}$',
      description: 'ID number of the person, from the order',
    }),
    reasonCode: ErasureRequestBody.properties.reasonCode,
    reference: ErasureRequestBody.properties.reference,
  },
  { additionalProperties: false },
);

/** Approve and withdraw carry no data; an empty JSON object keeps the CSRF guard meaningful. */
export const EmptyBody = Type.Object({}, { additionalProperties: false });

export const ErasureListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Enum(erasureStatuses, { description: 'Which requests; pending when absent' }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: erasureLimits.listPageSizeMax,
        description: 'Page size',
      }),
    ),
  },
  { additionalProperties: false },
);

export { ErasureRequestList, ErasureRequestSchema } from '../../../shared/api/erasure.js';
