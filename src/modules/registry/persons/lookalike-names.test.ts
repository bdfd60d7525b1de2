import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { findForbiddenName } from '../catalogue/index.js';
import { CSV_HEADER } from '../import/record-format.js';
import { rowParser } from '../import/row-parser.js';
import { importColumns } from '../import/source-file.js';
import { nameSearchKeys } from '../search/search-keys.js';
import {
  call,
  enrolBody,
  personAttributes,
  type SignedIn,
  signedInOperator,
} from './person-test-kit.js';

const enrolUrl = '/api/persons?purpose=enrolment';
/** "Mаriа Jоsе" and "Quintеrо" with Cyrillic а, о and е. */
const cyrillicMixed = {
  given_names: 'M\u0430ri\u0430 J\u043Es\u0435',
  first_surname: 'Quint\u0435r\u043E',
};
/** Full-width "Ｍａｒｉａ Ｊｏｓｅ Ｑｕｉｎｔｅｒｏ". */
const fullWidth = {
  given_names: '\uFF2D\uFF41\uFF52\uFF49\uFF41 \uFF2A\uFF4F\uFF53\uFF45',
  first_surname: '\uFF31\uFF55\uFF49\uFF4E\uFF54\uFF45\uFF52\uFF4F',
};

describe('look-alike letters cannot enrol one person twice (issue #11, point 5)', () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;
  let original: Record<string, unknown>;
  let originalId = '';

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signedInOperator(kit, 'clerk.lookalike', ['enrolment_clerk'], ['VE-A']);
    original = personAttributes({
      given_names: 'Maria Jose',
      first_surname: 'Quintero',
      second_surname: 'Salcedo',
      birth_date: '1979-03-08',
    });
    const enrolled = await call(kit, clerk, 'POST', enrolUrl, enrolBody(original));
    expect(enrolled.statusCode).toBe(201);
    originalId = enrolled.json().personId;
  });
  afterAll(async () => kit?.close());

  it('refuses a name that mixes Latin with Cyrillic look-alikes (400 on the field)', async () => {
    const response = await call(
      kit,
      clerk,
      'POST',
      enrolUrl,
      enrolBody({ ...original, ...cyrillicMixed }),
    );
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('AMP_VALIDATION');
    const fields = body.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(['body/attributes/given_names', 'body/attributes/first_surname']);
    expect(body.errors[0].reason).toContain('Cyrillic');
  });

  it('holds a full-width copy of the name as a duplicate of the person already enrolled', async () => {
    // Another phone, as someone enrolling twice would give: only the names can link them.
    const copy = { ...original, ...fullWidth, phone: personAttributes().phone };
    const response = await call(kit, clerk, 'POST', enrolUrl, enrolBody(copy));
    expect(response.statusCode).toBe(202);
    expect(response.json().candidates[0]).toMatchObject({ personId: originalId, decision: 'auto' });
  });

  it('holds a name written wholly in Cyrillic look-alikes as a duplicate', async () => {
    const latin = personAttributes({
      given_names: 'Maceo',
      first_surname: 'Cepeda',
      second_surname: 'Ochoa',
      birth_date: '1991-07-30',
    });
    const first = await call(kit, clerk, 'POST', enrolUrl, enrolBody(latin));
    expect(first.statusCode).toBe(201);
    // Масео Сереԁа Осһоа: every letter Cyrillic, so not a mix, but the same name to the eye.
    const cyrillic = {
      ...latin,
      phone: personAttributes().phone,
      given_names: '\u041C\u0430\u0441\u0435\u043E',
      first_surname: '\u0421\u0435\u0440\u0435\u0501\u0430',
      second_surname: '\u041E\u0441\u04BB\u043E\u0430',
    };
    const second = await call(kit, clerk, 'POST', enrolUrl, enrolBody(cyrillic));
    expect(second.statusCode).toBe(202);
    expect(second.json().candidates[0].personId).toBe(first.json().personId);
  });

  it('stores names in NFKC without invisible characters', async () => {
    const response = await call(
      kit,
      clerk,
      'POST',
      enrolUrl,
      enrolBody(
        personAttributes({
          given_names: '\uFF2C\uFF55\uFF43\uFF49\uFF41',
          first_surname: 'Ur\u200Bdaneta',
          birth_date: '2001-01-17',
        }),
      ),
    );
    expect(response.statusCode).toBe(201);
    const version = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('person_version')
        .select('attributes')
        .where('person_id', '=', response.json().personId)
        .executeTakeFirstOrThrow(),
    );
    expect(version.attributes).toMatchObject({ given_names: 'Lucia', first_surname: 'Urdaneta' });
  });

  it('answers a forbidden attribute name written with look-alikes as forbidden (403)', async () => {
    for (const name of [
      'r\u0435ligion',
      'reli\u200Bgion',
      '\uFF52\uFF45\uFF4C\uFF49\uFF47\uFF49\uFF4F\uFF4E',
    ]) {
      expect(findForbiddenName(name)?.category.id).toBe('religion');
      const response = await call(
        kit,
        clerk,
        'POST',
        enrolUrl,
        enrolBody({ ...original, [name]: 'x' }),
      );
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('AMP_ATTRIBUTE_FORBIDDEN');
    }
  });
});

describe('the import and the search keys use the same normalisation', () => {
  const header = CSV_HEADER.trim().split(',');
  const parse = rowParser({
    format: 'csv',
    header,
    today: new Date('2026-01-01'),
    regions: undefined,
  });
  const row = (names: { given_names: string; first_surname: string }) => {
    const values: Record<string, string> = {
      record_id: 'R1',
      household_id: 'H1',
      relationship: 'head',
      ...names,
      sex: 'F',
      birth_date: '1979-03-08',
      state_code: 'VE-A',
      municipality_code: 'VE-A-01',
      parish_code: 'VE-A-01-02',
    };
    return parse({ line: 2, text: importColumns.map((column) => values[column] ?? '').join(',') });
  };

  it('refuses a mixed-script name in an import row and stores a full-width one folded', () => {
    expect(row(cyrillicMixed).errors.map((error) => error.field)).toEqual([
      'given_names',
      'first_surname',
    ]);
    expect(row(fullWidth).valid?.plain).toMatchObject({
      given_names: 'Maria Jose',
      first_surname: 'Quintero',
    });
  });

  it('gives look-alike spellings the search keys of the Latin name', () => {
    const latin = nameSearchKeys({ given_names: 'Maria Jose', first_surname: 'Quintero' }).keys;
    expect(nameSearchKeys(cyrillicMixed).keys).toEqual(latin);
    expect(nameSearchKeys(fullWidth).keys).toEqual(latin);
  });
});
