import { type TSchema, Type } from 'typebox';
import type {
  AttributeDeclaration,
  AttributeSubject,
  AttributeType,
} from './attribute-declaration.js';
import { describeType, listAttributes } from './catalogue.js';

/**
 * TypeBox schemas generated from the catalogue, for OpenAPI documentation. They are
 * deliberately looser than `validate.ts` (no calendar, geography or image checks): the
 * `forbiddenAttributeHook` and `validatePersonAttributes` are what enforce.
 *
 * @example
 *   app.post('/persons', { schema: { body: Type.Object({ attributes: personAttributesSchema }) } }, …);
 */

const geographyPatterns = {
  state: '^VE-[A-Z]$',
  municipality: '^VE-[A-Z]-[0-9]{2}$',
  parish: '^VE-[A-Z]-[0-9]{2}-[0-9]{2}$',
} as const;

/** The JSON Schema of one value type. */
export function valueSchema(type: AttributeType, description: string): TSchema {
  const documented = { description: `${description} (${describeType(type)})` };
  switch (type.kind) {
    case 'string':
      return Type.String({ ...documented, minLength: 1, maxLength: type.lengthMax });
    case 'birth_date':
      return Type.String({ ...documented, pattern: '^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$' });
    case 'enum':
      return Type.Union(
        type.values.map((value) => Type.Literal(value)),
        documented,
      );
    case 'integer':
      return Type.Integer({ ...documented, minimum: type.min, maximum: type.max });
    case 'boolean':
      return Type.Boolean(documented);
    case 'geography':
      return Type.String({ ...documented, pattern: geographyPatterns[type.level] });
    case 'country':
      return Type.String({ ...documented, pattern: '^[A-Z]{2}$' });
    case 'language':
      return Type.String({ ...documented, pattern: '^[a-z]{2,3}$' });
    case 'phone':
      return Type.String({ ...documented, pattern: '^\\+[1-9][0-9]{6,14}$' });
    case 'email':
      return Type.String({ ...documented, maxLength: 254 });
    case 'image':
      return Type.String({
        ...documented,
        contentEncoding: 'base64',
        maxLength: Math.ceil(type.bytesMax / 3) * 4,
      });
  }
}

function attributesSchema(subject: AttributeSubject, partial: boolean): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const declaration of listAttributes(subject)) {
    properties[declaration.name] = propertySchema(declaration, partial);
  }
  return Type.Object(properties, {
    additionalProperties: false,
    description: `${subject} attributes from the published catalogue (GET /api/catalogue)`,
  });
}

function propertySchema(declaration: AttributeDeclaration, partial: boolean): TSchema {
  const value = valueSchema(declaration.type, declaration.description);
  // A required attribute can never be null; an optional one is null when not recorded.
  const nullable = declaration.required ? value : Type.Union([value, Type.Null()]);
  return declaration.required && !partial ? nullable : Type.Optional(nullable);
}

/** A whole person record's attributes, as sent at enrolment. */
export const personAttributesSchema: TSchema = attributesSchema('person', false);
/** A correction: any subset of the person attributes. */
export const personAttributesPatchSchema: TSchema = attributesSchema('person', true);
/** A household's attributes (e.g. income band). */
export const householdAttributesSchema: TSchema = attributesSchema('household', true);
