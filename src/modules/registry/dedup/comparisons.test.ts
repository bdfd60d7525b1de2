import { describe, expect, it } from 'vitest';
import { buildComparisons, compareDate, compareField } from './comparisons.js';
import { FieldComparers } from './field-comparers.js';
import { RecordStore } from './record-store.js';
import type { DedupSchema } from './types.js';

const schema: DedupSchema = {
  fields: [
    { name: 'given_names', kind: 'given_name' },
    { name: 'first_surname', kind: 'surname' },
    { name: 'second_surname', kind: 'surname' },
    { name: 'birth_date', kind: 'date' },
    { name: 'phone', kind: 'phone' },
    { name: 'document', kind: 'identifier' },
  ],
};
const comparisons = buildComparisons(schema);

function levelsOf(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  const store = new RecordStore(schema);
  store.append({ id: 'a', fields: a });
  store.append({ id: 'b', fields: b });
  const labels: Record<string, string> = {};
  for (const comparison of comparisons) {
    const level = compareField(comparison, store, 0, store, 1);
    labels[comparison.name] = level === 0 ? 'null' : (comparison.levels[level - 1] ?? '?');
  }
  return labels;
}

describe('compareField', () => {
  it('sees accents, particles and name order as exact agreement', () => {
    const levels = levelsOf(
      { given_names: 'María José', first_surname: 'De la Cruz', second_surname: 'Núñez' },
      { given_names: 'jose maria', first_surname: 'CRUZ', second_surname: 'Nuñez' },
    );
    expect(levels.given_names).toBe('exact');
    expect(levels.first_surname).toBe('exact');
    expect(levels.second_surname).toBe('exact');
  });

  it('keeps ñ apart in the exact key but lets the phonetic level join it', () => {
    const levels = levelsOf({ first_surname: 'Peña' }, { first_surname: 'Pena' });
    expect(levels.first_surname).toBe('phonetic or jw>=0.94');
  });

  it('catches Spanish spelling variants phonetically', () => {
    const levels = levelsOf(
      { given_names: 'Yolanda', first_surname: 'Vásquez' },
      { given_names: 'Llolanda', first_surname: 'Basques' },
    );
    expect(levels.given_names).toBe('phonetic or jw>=0.94');
    expect(levels.first_surname).toBe('phonetic or jw>=0.94');
  });

  it('credits given name and surname written the other way round', () => {
    const levels = levelsOf(
      { given_names: 'Pedro', first_surname: 'Quintero' },
      { given_names: 'Quintero', first_surname: 'Pedro' },
    );
    expect(levels.given_names).toBe('names swapped');
    expect(levels.first_surname).toBe('null');
  });

  it('sees given names and both surnames swapped, in any order and with a surname dropped', () => {
    const original = {
      given_names: 'José Juan',
      first_surname: 'Mascareñas',
      second_surname: 'Ramírez',
    };
    const swapped = levelsOf(original, {
      given_names: 'Ramírez Mascareñas',
      first_surname: 'José',
      second_surname: 'Juan',
    });
    // Credited once, to the given names; the surnames add nothing.
    expect(swapped.given_names).toBe('names swapped');
    expect(swapped.first_surname).toBe('null');
    expect(swapped.second_surname).toBe('null');
    const dropped = levelsOf(original, {
      given_names: 'Mascareñas Ramírez',
      first_surname: 'Jose',
    });
    expect(dropped.given_names).toBe('names swapped');
  });

  it('does not take strangers who share one name each for a swap', () => {
    const levels = levelsOf(
      { given_names: 'Romero Quintana', first_surname: 'José' },
      { given_names: 'José Miguel', first_surname: 'Romero' },
    );
    expect(levels.given_names).not.toBe('names swapped');
    expect(levels.first_surname).not.toBe('names swapped');
  });

  it('credits a one-way move once, not in both comparisons', () => {
    const levels = levelsOf(
      { given_names: 'Olivia', first_surname: 'White' },
      { given_names: 'White', first_surname: 'Holly' },
    );
    expect(levels.given_names).toBe('moved to another name field');
    expect(levels.first_surname).toBe('else');
  });

  it('treats a missing value as its own null level', () => {
    expect(levelsOf({ phone: '0412 555 0101' }, {}).phone).toBe('null');
  });

  it('grades identifiers and phones by edits', () => {
    const levels = levelsOf(
      { phone: '0412-555-0101', document: 'V12345678' },
      { phone: '0412-555-0107', document: 'V12345687' },
    );
    expect(levels.phone).toBe('one edit');
    expect(levels.document).toBe('two edits');
  });
});

describe('FieldComparers (the batch path)', () => {
  it('gives the levels of compareField, swaps included', () => {
    const rows = [
      { given_names: 'José Juan', first_surname: 'Mascareñas', second_surname: 'Ramírez' },
      { given_names: 'Ramírez Mascareñas', first_surname: 'José', second_surname: 'Juan' },
      { given_names: 'Mascareñas Ramirez', first_surname: 'Jose' },
      { given_names: 'Romero Quintana', first_surname: 'José' },
      { given_names: 'José Miguel', first_surname: 'Romero', birth_date: '1971-04-25' },
      { given_names: 'Olivia', first_surname: 'White', birth_date: '1971-02-06' },
      { given_names: 'White', first_surname: 'Holly', birth_date: '1971-06-02' },
    ];
    const store = new RecordStore(schema);
    for (const [row, fields] of rows.entries()) store.append({ id: `r${row}`, fields });
    const comparers = new FieldComparers(store, comparisons);
    for (let a = 0; a < rows.length; a += 1) {
      for (let b = 0; b < rows.length; b += 1) {
        if (a === b) continue;
        comparisons.forEach((comparison, c) => {
          expect(comparers.of(c)(a, b)).toBe(compareField(comparison, store, a, store, b));
        });
      }
    }
  });
});

describe('compareDate', () => {
  it.each([
    ['19840512', '19840512', 1],
    ['19840512', '19841205', 2], // day and month swapped
    ['19840512', '19840513', 3], // one digit
    ['19840512', '19480512', 3], // adjacent digits swapped
    ['19840512', '19840929', 4], // same year
    ['19840512', '19750512', 5],
    ['1984', '1984', 4], // a year alone is never an exact date
    ['1984', '19840512', 4],
    ['1984', '1985', 5],
  ])('%s vs %s is level %i', (a, b, level) => {
    expect(compareDate(a, b, Number(a.slice(0, 4)), Number(b.slice(0, 4)))).toBe(level);
  });
});
