/**
 * The closed attribute catalogue (safeguard 1): what a person or household record may hold,
 * who may read it, and the refusal of the categories Amparo never holds. See README.md.
 */
export type {
  AttributeCategory,
  AttributeDeclaration,
  AttributeSubject,
  AttributeType,
  Sensitivity,
} from './attribute-declaration.js';
export { attributeCatalogue } from './attributes.js';
export {
  attributePurposes,
  discloseAttributes,
  findAttribute,
  listAttributes,
  listCatalogue,
  type PublishedCatalogue,
  readableAttributes,
} from './catalogue.js';
export { type Catalogue, CatalogueDeclarationError, defineCatalogue } from './define-catalogue.js';
export {
  type ForbiddenCategory,
  type ForbiddenCategoryId,
  type ForbiddenMatch,
  findForbiddenName,
  forbiddenCategories,
  forbiddenReason,
} from './forbidden.js';
export { catalogueLimits } from './limits.js';
export { nameTokens } from './name-tokens.js';
export {
  checkImportColumns,
  checkRecordKeys,
  type ForbiddenColumn,
  type ForbiddenFinding,
  forbiddenAttributeHook,
  refuseForbiddenAttributes,
  refuseImportColumns,
  type ScanResult,
  scanError,
  scanForbiddenKeys,
} from './refuse.js';
export { catalogueRoutes } from './routes.js';
export {
  householdAttributesSchema,
  personAttributesPatchSchema,
  personAttributesSchema,
} from './schema.js';
export {
  type AttributeValue,
  type AttributeValues,
  parsePersonAttributes,
  type ValidateOptions,
  type ValidationResult,
  validateHouseholdAttributes,
  validatePersonAttributes,
} from './validate.js';
