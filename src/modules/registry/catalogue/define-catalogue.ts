import { isPurpose } from '../../../shared/access/actor.js';
import {
  type AttributeDeclaration,
  attributeCategories,
  attributeSubjects,
  sensitivities,
} from './attribute-declaration.js';
import { findForbiddenName, forbiddenReason } from './forbidden.js';
import { catalogueLimits } from './limits.js';

/** A validated, frozen set of attribute declarations. */
export interface Catalogue {
  readonly attributes: readonly AttributeDeclaration[];
  readonly byName: ReadonlyMap<string, AttributeDeclaration>;
}

/**
 * A declaration that breaks the catalogue's rules. Thrown while the module loads, so a
 * forbidden attribute can never reach a running server: the process fails to start.
 */
export class CatalogueDeclarationError extends Error {
  readonly attribute: string;

  constructor(attribute: string, message: string) {
    super(`attribute catalogue: ${attribute}: ${message}`);
    this.name = 'CatalogueDeclarationError';
    this.attribute = attribute;
  }
}

const snakeCase = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Validates and freezes a catalogue. Refuses a name, category or enum value that names a
 * forbidden category, duplicate names, unknown purposes, special-category data that is not
 * sealed or is readable for distribution, and a year-only date without its flag.
 *
 * @example
 *   const catalogue = defineCatalogue([givenNames, sex, birthDate, birthDateApproximate]);
 *   // a name on the deny-list in forbidden.ts throws CatalogueDeclarationError
 */
export function defineCatalogue(declarations: readonly AttributeDeclaration[]): Catalogue {
  const byName = new Map<string, AttributeDeclaration>();
  for (const declaration of declarations) {
    checkDeclaration(declaration);
    if (byName.has(declaration.name)) {
      throw new CatalogueDeclarationError(declaration.name, 'declared twice');
    }
    byName.set(declaration.name, freezeDeclaration(declaration));
  }
  for (const declaration of byName.values()) checkReferences(declaration, byName);
  return Object.freeze({ attributes: Object.freeze([...byName.values()]), byName });
}

function checkDeclaration(declaration: AttributeDeclaration): void {
  const { name } = declaration;
  if (name.length > catalogueLimits.attributeNameLengthMax || !snakeCase.test(name)) {
    throw new CatalogueDeclarationError(name, 'name must be snake_case, at most 64 characters');
  }
  refuseForbidden(name, name, 'name');
  // The category is a typed union, but a cast or plain JavaScript could slip another in.
  if (!(attributeCategories as readonly string[]).includes(declaration.category)) {
    throw new CatalogueDeclarationError(name, `unknown category ${declaration.category}`);
  }
  refuseForbidden(name, declaration.category, 'category');
  if (!(attributeSubjects as readonly string[]).includes(declaration.subject)) {
    throw new CatalogueDeclarationError(name, `unknown subject ${declaration.subject}`);
  }
  if (!(sensitivities as readonly string[]).includes(declaration.sensitivity)) {
    throw new CatalogueDeclarationError(name, `unknown sensitivity ${declaration.sensitivity}`);
  }
  checkPurposes(declaration);
  checkType(declaration);
}

function checkPurposes(declaration: AttributeDeclaration): void {
  const { name, purposes } = declaration;
  if (purposes.length === 0) throw new CatalogueDeclarationError(name, 'no purpose may read it');
  for (const purpose of purposes) {
    if (!isPurpose(purpose))
      throw new CatalogueDeclarationError(name, `unknown purpose ${purpose}`);
  }
  if (new Set(purposes).size !== purposes.length) {
    throw new CatalogueDeclarationError(name, 'a purpose is listed twice');
  }
  if (declaration.sensitivity === 'special') {
    if (!declaration.sealed) {
      throw new CatalogueDeclarationError(name, 'special-category data must be sealed');
    }
    if (purposes.includes('distribution')) {
      throw new CatalogueDeclarationError(name, 'special-category data is never for distribution');
    }
  }
}

function checkType(declaration: AttributeDeclaration): void {
  const { name, type } = declaration;
  if (type.kind === 'enum') {
    if (type.values.length === 0 || new Set(type.values).size !== type.values.length) {
      throw new CatalogueDeclarationError(name, 'enum values must be non-empty and distinct');
    }
    // Declared values are checked too: an enum of party names under an innocent attribute
    // name is the obvious way around the name check.
    for (const value of type.values) refuseForbidden(name, value, 'enum value');
  }
  if (type.kind === 'integer' && !(Number.isSafeInteger(type.min) && type.min <= type.max)) {
    throw new CatalogueDeclarationError(name, 'integer range must be min <= max');
  }
  if (type.kind === 'string' && !(type.lengthMax > 0)) {
    throw new CatalogueDeclarationError(name, 'string lengthMax must be positive');
  }
}

function checkReferences(
  declaration: AttributeDeclaration,
  byName: ReadonlyMap<string, AttributeDeclaration>,
): void {
  if (declaration.type.kind !== 'birth_date') return;
  const flag = byName.get(declaration.type.approximateFlag);
  if (flag === undefined || flag.type.kind !== 'boolean' || flag.subject !== declaration.subject) {
    throw new CatalogueDeclarationError(
      declaration.name,
      `approximate flag ${declaration.type.approximateFlag} must be a declared boolean`,
    );
  }
}

function refuseForbidden(attribute: string, text: string, what: string): void {
  const match = findForbiddenName(text);
  if (match !== undefined) {
    throw new CatalogueDeclarationError(
      attribute,
      `${what} "${text}" refused: ${forbiddenReason(match.category)} (matched "${match.matched}")`,
    );
  }
}

/** A frozen copy, so neither the caller nor a reader can change the catalogue afterwards. */
function freezeDeclaration(declaration: AttributeDeclaration): AttributeDeclaration {
  const type = declaration.type;
  let typeCopy: AttributeDeclaration['type'];
  if (type.kind === 'enum') typeCopy = { ...type, values: Object.freeze([...type.values]) };
  else if (type.kind === 'image') {
    typeCopy = { ...type, mediaTypes: Object.freeze([...type.mediaTypes]) };
  } else typeCopy = { ...type };
  return Object.freeze({
    ...declaration,
    type: Object.freeze(typeCopy),
    purposes: Object.freeze([...declaration.purposes]),
  });
}
