import { Type } from 'typebox';

/*
 * The published attribute catalogue as `GET /api/catalogue` answers it; in src/shared/ because
 * the console derives its types from it.
 */

/** Response of `GET /api/catalogue`. */
export const PublishedCatalogueSchema = Type.Object({
  attributes: Type.Array(
    Type.Object({
      name: Type.String(),
      subject: Type.Union([Type.Literal('person'), Type.Literal('household')]),
      type: Type.String(),
      constraints: Type.String(),
      category: Type.String(),
      sensitivity: Type.String(),
      sealed: Type.Boolean(),
      required: Type.Boolean(),
      purposes: Type.Array(Type.String()),
      description: Type.String(),
      descriptionEs: Type.String(),
    }),
  ),
  refusedCategories: Type.Array(
    Type.Object({
      id: Type.String(),
      label: Type.String(),
      labelEs: Type.String(),
      terms: Type.Array(Type.String()),
    }),
  ),
});
