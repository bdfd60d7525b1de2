import { Type } from 'typebox';
import { listAttributes } from './catalogue/catalogue.js';

export const UinParams = Type.Object({ uin: Type.String({ pattern: '^[2-9][0-9]{9}$' }) });

/**
 * The attributes a response may carry: exactly the catalogue's person attributes. The
 * response schema is the presenter, so a stored key outside the catalogue can never be sent.
 */
export const PersonAttributes = Type.Object(
  Object.fromEntries(
    listAttributes('person').map((attribute) => [attribute.name, Type.Optional(Type.Unknown())]),
  ),
  { additionalProperties: false },
);

export const PersonViewSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  uin: Type.String(),
  status: Type.Union([
    Type.Literal('active'),
    Type.Literal('deceased'),
    Type.Literal('merged'),
    Type.Literal('erased'),
  ]),
  mergedInto: Type.Union([Type.String(), Type.Null()]),
  regionCode: Type.String(),
  version: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
  household: Type.Union([
    Type.Object({ id: Type.String(), relationship: Type.String() }),
    Type.Null(),
  ]),
  attributes: PersonAttributes,
});
