import { Type } from 'typebox';
import { purposes } from '../access/actor.js';

/**
 * Request parts every module's routes share: the purpose a person-level read names (safeguard
 * 2) and a person's id in the path. Here rather than in one module, since audit, access,
 * registry and credentials all take them.
 *
 * @example
 * app.get('/:personId/cards', { schema: { params: PersonIdParams, querystring: PurposeQuery } }, …);
 */
export const PurposeQuery = Type.Object(
  {
    purpose: Type.Optional(
      Type.Union(
        purposes.map((purpose) => Type.Literal(purpose)),
        {
          description:
            'Why the record is read; required by policy, checked against your roles and audited',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PersonIdParams = Type.Object({ personId: Type.String({ format: 'uuid' }) });
