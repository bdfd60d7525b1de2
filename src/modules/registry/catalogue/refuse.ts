import type { FastifyRequest } from 'fastify';
import { AmparoError, type FieldError } from '../../../platform/errors.js';
import { refusedField } from '../../../shared/import/refusals.js';
import {
  type ForbiddenCategory,
  findForbiddenName,
  forbiddenField,
  forbiddenReason,
} from './forbidden.js';
import { catalogueLimits } from './limits.js';

/**
 * Refusing forbidden attribute names where data comes in: request bodies (a Fastify hook)
 * and import files (header columns, NDJSON record keys). Only names are looked at, never
 * values: `union_libre` as a value, or a locality called "La Iglesia", is not refused.
 *
 * @example
 *   app.post('/api/persons', { preValidation: forbiddenAttributeHook(), schema }, handler);
 *   refuseForbiddenAttributes({ attributes: { [denied]: 'x' } }); // denied: any name forbidden.ts refuses → 403 AMP_ATTRIBUTE_FORBIDDEN
 */

/** A forbidden name found at a JSON-pointer path, e.g. `body/attributes/<refused name>`. */
export interface ForbiddenFinding {
  readonly path: string;
  readonly name: string;
  readonly category: ForbiddenCategory;
  readonly reason: string;
}

export interface ScanResult {
  readonly findings: readonly ForbiddenFinding[];
  /** Why the scan stopped before the end (too deep, too many keys); the input is refused. */
  readonly incomplete: string | undefined;
}

/**
 * Keys whose string value is itself an attribute name, as in `[{ attribute: '<refused name>',
 * value: 'x' }]`, so a name/value list cannot carry a forbidden name past the scan. `name`
 * is not among them: it holds people's names, and a surname such as Iglesias is a value.
 */
const attributeNameKeys = new Set(['attribute', 'attribute_name', 'attributeName']);

interface Pending {
  value: unknown;
  path: string;
  depth: number;
}

/**
 * Walks every key of a JSON value (objects and arrays, breadth first) and reports each key
 * that names a forbidden category. Stops, and says so, past `scanDepthMax` levels or
 * `scanKeysMax` keys, so that a hostile body costs bounded work and is never half-checked.
 */
export function scanForbiddenKeys(value: unknown, pathPrefix = 'body'): ScanResult {
  const findings: ForbiddenFinding[] = [];
  const queue: Pending[] = [{ value, path: pathPrefix, depth: 0 }];
  let keysSeen = 0;
  // Arrays of records repeat the same keys; each distinct name is matched once.
  const verdicts = new Map<string, ForbiddenCategory | null>();
  for (let index = 0; index < queue.length; index += 1) {
    const pending = queue[index];
    if (pending === undefined || typeof pending.value !== 'object' || pending.value === null) {
      continue;
    }
    if (pending.depth >= catalogueLimits.scanDepthMax) {
      return { findings, incomplete: `is nested more than ${catalogueLimits.scanDepthMax} levels` };
    }
    if (Array.isArray(pending.value)) {
      pending.value.forEach((item: unknown, position) => {
        queue.push({ value: item, path: `${pending.path}/${position}`, depth: pending.depth + 1 });
      });
      continue;
    }
    const entries = Object.entries(pending.value);
    keysSeen += entries.length;
    if (keysSeen > catalogueLimits.scanKeysMax) {
      return { findings, incomplete: `has more than ${catalogueLimits.scanKeysMax} keys` };
    }
    for (const [key, child] of entries) {
      const path = `${pending.path}/${jsonPointerToken(key)}`;
      addFinding(findings, path, key, verdicts);
      if (attributeNameKeys.has(key) && typeof child === 'string') {
        addFinding(findings, path, child, verdicts);
      }
      queue.push({ value: child, path, depth: pending.depth + 1 });
    }
  }
  return { findings, incomplete: undefined };
}

function addFinding(
  findings: ForbiddenFinding[],
  path: string,
  name: string,
  verdicts: Map<string, ForbiddenCategory | null>,
): void {
  let category = verdicts.get(name);
  if (category === undefined) {
    const match = findForbiddenName(name);
    category = match?.category ?? null;
    verdicts.set(name, category);
  }
  if (category !== null) findings.push({ path, name, category, reason: forbiddenReason(category) });
}

/**
 * Throws 403 AMP_ATTRIBUTE_FORBIDDEN naming every forbidden key of `body` (or 400
 * AMP_VALIDATION when the body is too deep or too large to check completely).
 *
 * @example
 *   refuseForbiddenAttributes(request.body, { pathPrefix: 'body' });
 */
export function refuseForbiddenAttributes(
  body: unknown,
  options: { pathPrefix?: string } = {},
): void {
  const result = scanForbiddenKeys(body, options.pathPrefix ?? 'body');
  const error = scanError(result, options.pathPrefix ?? 'body');
  if (error !== undefined) throw error;
}

/** The error a scan result calls for, or undefined when the input may proceed. */
export function scanError(result: ScanResult, pathPrefix: string): AmparoError | undefined {
  if (result.findings.length > 0) {
    const errors: FieldError[] = result.findings
      .slice(0, catalogueLimits.fieldErrorsMax)
      .map((finding) => forbiddenField(finding.path, finding.category));
    return new AmparoError('AMP_ATTRIBUTE_FORBIDDEN', {
      detail: 'The request names a category of data Amparo never holds',
      errors,
    });
  }
  if (result.incomplete !== undefined) {
    return new AmparoError('AMP_VALIDATION', {
      detail: 'The request is too deeply nested or too large to check',
      errors: [{ field: pathPrefix, reason: result.incomplete }],
    });
  }
  return undefined;
}

/**
 * A Fastify `preValidation` hook that refuses forbidden names in the body and query string.
 * It runs before schema validation, so a forbidden attribute is answered 403
 * AMP_ATTRIBUTE_FORBIDDEN rather than a generic 400 for an unknown property. Each refusal
 * is logged with the attribute name and category, never a value.
 *
 * @example
 *   app.post('/persons', { preValidation: forbiddenAttributeHook(), schema: { body } }, enrol);
 */
export function forbiddenAttributeHook(): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    for (const [part, value] of [
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const result = scanForbiddenKeys(value, part);
      for (const finding of result.findings) {
        request.log.warn(
          {
            attribute: finding.name.slice(0, catalogueLimits.attributeNameLengthMax),
            category: finding.category.id,
          },
          'forbidden attribute refused',
        );
      }
      const error = scanError(result, part);
      if (error !== undefined) throw error;
    }
  };
}

/** A forbidden column of an import file. */
export interface ForbiddenColumn {
  readonly column: string;
  /** 0-based position in the header. */
  readonly index: number;
  readonly category: ForbiddenCategory;
  readonly reason: string;
}

/**
 * The forbidden columns of an import header. An import with any is refused as a whole,
 * before a single row is read: a forbidden column cannot be "skipped" into the registry.
 *
 * @example
 *   checkImportColumns(['given_names', denied]); // [{ column: denied, index: 1, … }] for a name forbidden.ts refuses
 */
export function checkImportColumns(headerNames: readonly string[]): ForbiddenColumn[] {
  const forbidden: ForbiddenColumn[] = [];
  headerNames.forEach((column, index) => {
    const match = findForbiddenName(column);
    if (match !== undefined) {
      forbidden.push({
        column,
        index,
        category: match.category,
        reason: forbiddenReason(match.category),
      });
    }
  });
  return forbidden;
}

/** Throws 403 AMP_ATTRIBUTE_FORBIDDEN naming each forbidden column (`header/<index>`). */
export function refuseImportColumns(headerNames: readonly string[]): void {
  const forbidden = checkImportColumns(headerNames);
  if (forbidden.length === 0) return;
  throw new AmparoError('AMP_ATTRIBUTE_FORBIDDEN', {
    detail: 'The import has columns of categories Amparo never holds; nothing was imported',
    errors: forbidden.slice(0, catalogueLimits.fieldErrorsMax).map((column) =>
      refusedField(`header/${column.index}`, 'forbidden_column', {
        column: column.column,
        category: column.category.label,
        categoryEs: column.category.labelEs,
      }),
    ),
  });
}

/**
 * The forbidden keys of one NDJSON import record, at any depth (`record/…` paths). A record
 * too deep or too large to check is reported as `incomplete` and must be refused too.
 */
export function checkRecordKeys(record: unknown, pathPrefix = 'record'): ScanResult {
  return scanForbiddenKeys(record, pathPrefix);
}

/** Escapes a key for a JSON pointer (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function jsonPointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
