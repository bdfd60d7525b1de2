import { AmparoError, type FieldError } from '../../../platform/errors.js';
import { normaliseStoredText } from '../../../platform/lookalikes.js';
import { refusedField } from '../../../shared/import/refusals.js';
import { findMunicipality, findParish } from '../../geography/index.js';
import type { AttributeDeclaration, AttributeSubject } from './attribute-declaration.js';
import { attributeCatalogue } from './attributes.js';
import { listAttributes } from './catalogue.js';
import { findForbiddenName, forbiddenField } from './forbidden.js';
import { catalogueLimits } from './limits.js';
import { jsonPointerToken } from './refuse.js';
import { parseBirthDate, type ValueRefusal, valueProblem } from './value-checks.js';

/** A stored attribute value: attributes are flat, scalar values (a photo is base64 text). */
export type AttributeValue = string | number | boolean | null;
export type AttributeValues = Record<string, AttributeValue>;

export interface ValidateOptions {
  /** A correction: required attributes may be left out (but not set to null). */
  partial?: boolean;
  /** The day dates of birth are compared with; now by default. Tests pass a fixed date. */
  today?: Date;
  /** JSON-pointer prefix of the attributes object in field errors; `body/attributes`. */
  pathPrefix?: string;
}

/** Valid attributes split by where they are stored, or why they are refused. */
export type ValidationResult =
  | { ok: true; plain: AttributeValues; sealed: AttributeValues }
  | { ok: false; code: 'AMP_ATTRIBUTE_FORBIDDEN' | 'AMP_VALIDATION'; errors: FieldError[] };

/**
 * Checks a person's attributes against the catalogue and splits them into the plain
 * `attributes` column and the `sealed_attributes` to encrypt. A forbidden name is answered
 * first (403 AMP_ATTRIBUTE_FORBIDDEN), before any other problem (400 AMP_VALIDATION).
 *
 * @example
 *   const result = validatePersonAttributes({ given_names: 'Ana', phone: '+584121234567' },
 *     { partial: true });
 *   if (result.ok) result.sealed; // { phone: '+584121234567' }
 */
export function validatePersonAttributes(
  input: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  return validateAttributes('person', input, options);
}

/** The household counterpart of `validatePersonAttributes` (e.g. `income_band`). */
export function validateHouseholdAttributes(
  input: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  return validateAttributes('household', input, options);
}

/**
 * `validatePersonAttributes` for a route or an import: returns the split attributes or
 * throws the AmparoError to send (403 or 400 with field errors).
 */
export function parsePersonAttributes(
  input: unknown,
  options: ValidateOptions = {},
): { plain: AttributeValues; sealed: AttributeValues } {
  const result = validatePersonAttributes(input, options);
  if (!result.ok) {
    throw new AmparoError(result.code, {
      detail:
        result.code === 'AMP_ATTRIBUTE_FORBIDDEN'
          ? 'The request names a category of data Amparo never holds'
          : 'One or more attributes are not valid',
      errors: result.errors,
    });
  }
  return { plain: result.plain, sealed: result.sealed };
}

function validateAttributes(
  subject: AttributeSubject,
  input: unknown,
  options: ValidateOptions,
): ValidationResult {
  const prefix = options.pathPrefix ?? 'body/attributes';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      code: 'AMP_VALIDATION',
      errors: [refusedField(prefix, 'must_be_object')],
    };
  }
  const entries = Object.entries(input);
  const at = (name: string) => `${prefix}/${jsonPointerToken(name)}`;
  const forbidden = forbiddenErrors(entries, at);
  if (forbidden.length > 0)
    return { ok: false, code: 'AMP_ATTRIBUTE_FORBIDDEN', errors: forbidden };

  const today = options.today ?? new Date();
  const errors: FieldError[] = [];
  const plain: AttributeValues = {};
  const sealed: AttributeValues = {};
  for (const [name, sent] of entries) {
    const declaration = attributeCatalogue.byName.get(name);
    const value = storedForm(declaration, sent);
    const problem = entryProblem(subject, declaration, value, today);
    if (problem !== undefined || declaration === undefined) {
      const refusal = problem ?? { code: 'not_in_catalogue' };
      errors.push(refusedField(at(name), refusal.code, refusal.params));
      continue;
    }
    // `entryProblem` accepted the value, so it is null or a scalar of the declared type.
    (declaration.sealed ? sealed : plain)[name] = value as AttributeValue;
  }
  if (options.partial !== true) errors.push(...missingErrors(subject, input, at));
  errors.push(...crossFieldErrors(input, at));
  if (errors.length > 0) {
    return {
      ok: false,
      code: 'AMP_VALIDATION',
      errors: errors.slice(0, catalogueLimits.fieldErrorsMax),
    };
  }
  return { ok: true, plain, sealed };
}

/**
 * Text is checked and stored in its compatibility-folded form without invisible characters
 * (`normaliseStoredText`): full-width "Ｍａｒｉａ" is stored as "Maria", so it meets the
 * "Maria" already enrolled as an exact match, not as a near miss.
 */
function storedForm(declaration: AttributeDeclaration | undefined, value: unknown): unknown {
  return declaration?.type.kind === 'string' && typeof value === 'string'
    ? normaliseStoredText(value)
    : value;
}

function forbiddenErrors(
  entries: ReadonlyArray<[string, unknown]>,
  at: (name: string) => string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name] of entries) {
    const match = findForbiddenName(name);
    if (match !== undefined) errors.push(forbiddenField(at(name), match.category));
  }
  return errors.slice(0, catalogueLimits.fieldErrorsMax);
}

function entryProblem(
  subject: AttributeSubject,
  declaration: AttributeDeclaration | undefined,
  value: unknown,
  today: Date,
): ValueRefusal | undefined {
  if (declaration === undefined) return { code: 'not_in_catalogue' };
  if (declaration.subject !== subject) {
    const spanish = { person: 'persona', household: 'hogar' } as const;
    return {
      code: 'wrong_subject',
      params: {
        subject: declaration.subject,
        expected: subject,
        subjectEs: spanish[declaration.subject],
        expectedEs: spanish[subject],
      },
    };
  }
  if (value === null) return declaration.required ? { code: 'required_not_cleared' } : undefined;
  return valueProblem(declaration.type, value, today);
}

function missingErrors(
  subject: AttributeSubject,
  input: object,
  at: (name: string) => string,
): FieldError[] {
  return listAttributes(subject)
    .filter((declaration) => declaration.required && !Object.hasOwn(input, declaration.name))
    .map((declaration) => refusedField(at(declaration.name), 'required'));
}

/**
 * Rules between attributes: a year-only date of birth needs the approximate flag set in
 * the same request, and address codes form a chain (parish in municipality in state), each
 * finer code sent with the coarser ones.
 */
function crossFieldErrors(input: object, at: (name: string) => string): FieldError[] {
  const values = new Map<string, unknown>(Object.entries(input));
  const errors: FieldError[] = [];
  for (const declaration of attributeCatalogue.attributes) {
    if (declaration.type.kind !== 'birth_date') continue;
    const value = values.get(declaration.name);
    const flag = declaration.type.approximateFlag;
    const parts = typeof value === 'string' ? parseBirthDate(value) : undefined;
    if (parts !== undefined && parts.month === undefined && values.get(flag) !== true) {
      errors.push(refusedField(at(declaration.name), 'year_needs_flag', { flag }));
    }
  }
  errors.push(...addressChainErrors(values, at));
  return errors;
}

function addressChainErrors(
  values: ReadonlyMap<string, unknown>,
  at: (name: string) => string,
): FieldError[] {
  const code = (name: string) => {
    const value = values.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const state = code('state_code');
  const municipality = code('municipality_code');
  const parish = code('parish_code');
  const errors: FieldError[] = [];
  if (parish !== undefined) {
    if (municipality === undefined) {
      errors.push(refusedField(at('parish_code'), 'parish_needs_municipality'));
    } else if (findParish(parish)?.municipalityCode !== municipality) {
      errors.push(refusedField(at('parish_code'), 'parish_not_in_municipality'));
    }
  }
  if (municipality !== undefined) {
    if (state === undefined) {
      errors.push(refusedField(at('municipality_code'), 'municipality_needs_state'));
    } else if (findMunicipality(municipality)?.stateCode !== state) {
      errors.push(refusedField(at('municipality_code'), 'municipality_not_in_state'));
    }
  }
  return errors;
}
