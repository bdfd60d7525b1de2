import { Type } from 'typebox';
import { registryAnswerSchemas } from '../../shared/api/registry.js';
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

/** The registry's answers that carry attributes, with the catalogue's (src/shared/api/registry.ts). */
export const registryAnswers = registryAnswerSchemas(PersonAttributes);
export const { PersonViewSchema } = registryAnswers;
