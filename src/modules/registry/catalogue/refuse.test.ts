import { describe, expect, it } from 'vitest';
import { AmparoError } from '../../../platform/errors.js';
import { catalogueLimits } from './limits.js';
import {
  checkImportColumns,
  checkRecordKeys,
  refuseForbiddenAttributes,
  refuseImportColumns,
  scanForbiddenKeys,
} from './refuse.js';

function thrown(work: () => void): AmparoError {
  try {
    work();
  } catch (error) {
    if (error instanceof AmparoError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('refuseForbiddenAttributes', () => {
  it('names each forbidden key by its JSON pointer, at any depth and inside arrays', () => {
    const body = {
      attributes: { given_names: 'Ana', partido: 'x' },
      household: { members: [{ given_names: 'Luis' }, { notes: { votó: true } }] },
    };
    const error = thrown(() => refuseForbiddenAttributes(body));
    expect(error.code).toBe('AMP_ATTRIBUTE_FORBIDDEN');
    expect(error.status).toBe(403);
    expect(error.errors).toMatchObject([
      {
        field: 'body/attributes/partido',
        reason: 'political affiliation is a category Amparo never holds',
      },
      {
        field: 'body/household/members/1/notes/votó',
        reason: 'voting or election participation is a category Amparo never holds',
      },
    ]);
  });

  it('lets a body with only ordinary keys through, whatever its values say', () => {
    const body = {
      attributes: {
        civil_status: 'union_libre',
        locality: 'La Iglesia',
        first_surname: 'Iglesias',
      },
      list: [1, 'partido', null, [{ sector: 'Sindicato' }]],
    };
    expect(() => refuseForbiddenAttributes(body)).not.toThrow();
    expect(() => refuseForbiddenAttributes(undefined)).not.toThrow();
    expect(() => refuseForbiddenAttributes('religion')).not.toThrow();
  });

  it('reads attribute names given as values of a name/value list', () => {
    const body = { attributes: [{ attribute: 'redes_sociales', value: '@ana' }] };
    expect(thrown(() => refuseForbiddenAttributes(body)).errors?.[0]?.field).toBe(
      'body/attributes/0/attribute',
    );
  });

  it('escapes keys in the pointer and uses the prefix it is given', () => {
    const error = thrown(() =>
      refuseForbiddenAttributes({ 'a/b': { 'iglesia~1': 1 } }, { pathPrefix: 'querystring' }),
    );
    expect(error.errors?.[0]?.field).toBe('querystring/a~1b/iglesia~01');
  });

  it('refuses a body too deep to check completely, instead of checking part of it', () => {
    let deep: unknown = { fine: true };
    for (let level = 0; level < catalogueLimits.scanDepthMax + 1; level += 1) deep = { next: deep };
    const error = thrown(() => refuseForbiddenAttributes(deep));
    expect(error.code).toBe('AMP_VALIDATION');
    let shallow: unknown = { fine: true };
    for (let level = 0; level < catalogueLimits.scanDepthMax - 2; level += 1)
      shallow = { next: shallow };
    expect(() => refuseForbiddenAttributes(shallow)).not.toThrow();
  });

  it('refuses a body with more keys than it will check', () => {
    const wide = Object.fromEntries(
      Array.from({ length: catalogueLimits.scanKeysMax + 1 }, (_, index) => [`k${index}`, index]),
    );
    expect(thrown(() => refuseForbiddenAttributes(wide)).code).toBe('AMP_VALIDATION');
  });

  it('still answers 403 when a forbidden key comes before the limit is reached', () => {
    let deep: unknown = {};
    for (let level = 0; level < catalogueLimits.scanDepthMax + 5; level += 1) deep = { next: deep };
    expect(thrown(() => refuseForbiddenAttributes({ gps: 1, deep })).code).toBe(
      'AMP_ATTRIBUTE_FORBIDDEN',
    );
  });
});

describe('imports', () => {
  it('finds the forbidden columns of a header, with their positions', () => {
    const columns = checkImportColumns(['givenNames', 'Partido Político', 'phone', 'Religión']);
    expect(columns.map(({ column, index, category }) => [column, index, category.id])).toEqual([
      ['Partido Político', 1, 'political_affiliation'],
      ['Religión', 3, 'religion'],
    ]);
    expect(checkImportColumns(['recordId', 'givenNames', 'parishCode', 'incomeBand'])).toEqual([]);
  });

  it('refuses the whole import when any column is forbidden', () => {
    const error = thrown(() => refuseImportColumns(['given_names', 'ubch_member']));
    expect(error.code).toBe('AMP_ATTRIBUTE_FORBIDDEN');
    expect(error.errors).toMatchObject([
      {
        field: 'header/1',
        reason: 'ubch_member: political affiliation is a category Amparo never holds',
      },
    ]);
    expect(() => refuseImportColumns(['given_names', 'sex'])).not.toThrow();
  });

  it('checks the keys of an NDJSON record', () => {
    const result = checkRecordKeys({ givenNames: 'Ana', extra: { instagramHandle: '@ana' } });
    expect(result.findings.map((finding) => [finding.path, finding.category.id])).toEqual([
      ['record/extra/instagramHandle', 'social_media'],
    ]);
    expect(checkRecordKeys({ givenNames: 'Ana' }, 'line/7')).toEqual({
      findings: [],
      incomplete: undefined,
    });
  });

  it('scans a repeated key once per body but reports every place it occurs', () => {
    const rows = Array.from({ length: 3 }, () => ({ iglesia: 'x' }));
    expect(scanForbiddenKeys(rows, 'rows').findings.map((finding) => finding.path)).toEqual([
      'rows/0/iglesia',
      'rows/1/iglesia',
      'rows/2/iglesia',
    ]);
  });
});
