import { fakerES_MX as faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { dedupBatch } from './dedup-batch.js';
import { createMatchIndex } from './match-index.js';
import type { DedupRecord, DedupSchema } from './types.js';
import { UnionFind } from './union-find.js';

/** The registry's own fields, as the registry module will map them. */
const schema: DedupSchema = {
  fields: [
    { name: 'given_names', kind: 'given_name' },
    { name: 'first_surname', kind: 'surname' },
    { name: 'second_surname', kind: 'surname' },
    { name: 'sex', kind: 'category' },
    { name: 'birth_date', kind: 'date' },
    { name: 'parish_code', kind: 'code', locality: true },
    { name: 'locality', kind: 'text', locality: true },
    { name: 'address_line', kind: 'text' },
    { name: 'phone', kind: 'phone' },
  ],
};

/** A deterministic Venezuelan-like population from faker's Spanish name data. */
function population(count: number): DedupRecord[] {
  faker.seed(20_240_601);
  return Array.from({ length: count }, (_, i) => {
    const sex = faker.person.sexType();
    return {
      id: `p${i}`,
      fields: {
        given_names: `${faker.person.firstName(sex)} ${faker.person.firstName(sex)}`,
        first_surname: faker.person.lastName(),
        second_surname: faker.person.lastName(),
        sex: sex === 'female' ? 'F' : 'M',
        birth_date: faker.date
          .birthdate({ min: 1940, max: 2010, mode: 'year' })
          .toISOString()
          .slice(0, 10),
        parish_code: String(faker.number.int({ min: 10_101, max: 10_140 })),
        locality: `Sector ${faker.location.street()}`,
        address_line: faker.location.streetAddress(),
        phone: faker.helpers.maybe(() => faker.string.numeric(11), { probability: 0.6 }) ?? null,
      },
    };
  });
}

/** The same person enrolled again, the way a second registrar would write it. */
function reEnrolled(record: DedupRecord, id: string): DedupRecord {
  const fields = record.fields;
  return {
    id,
    fields: {
      ...fields,
      given_names: String(fields.given_names).toUpperCase(),
      // Spelling variants a registrar hears the same way: z/s, v/b, ll/y.
      first_surname: String(fields.first_surname)
        .replace('z', 's')
        .replace('V', 'B')
        .replace('ll', 'y'),
      phone: null,
      address_line: `${String(fields.address_line)} `,
    },
  };
}

describe('dedupBatch and createMatchIndex', () => {
  const base = population(600);
  const duplicates = base.slice(0, 60).map((record, i) => reEnrolled(record, `d${i}`));
  const result = dedupBatch([...base, ...duplicates], { schema });

  it('links each re-enrolment to its original and to nothing else', () => {
    const rowOf = new Map(result.ids.map((id, row) => [id, row]));
    const sets = new UnionFind(result.ids.length);
    for (const cluster of result.clusters)
      for (const row of cluster) sets.union(cluster[0] ?? row, row);
    duplicates.forEach((duplicate, i) => {
      expect(sets.find(rowOf.get(duplicate.id) ?? -1)).toBe(sets.find(rowOf.get(`p${i}`) ?? -2));
    });
    const clustered = result.clusters.reduce((total, cluster) => total + cluster.length, 0);
    expect(clustered).toBe(120);
  });

  it('answers an enrolment-time query with the registered person and a decision', () => {
    const index = createMatchIndex(base, result.model);
    const original = base[42] as DedupRecord; // the population has 600 records
    const found = index.findCandidates(reEnrolled(original, 'new'));
    expect(found[0]?.id).toBe(original.id);
    expect(found[0]?.decision).toBe('auto');
    expect(found[0]?.levels.given_names).toBe('exact');
  });

  it('returns nobody for a person who is not registered, and finds them once added', () => {
    const index = createMatchIndex(base, result.model);
    const stranger: DedupRecord = {
      id: 'x',
      fields: {
        given_names: 'Xiomara',
        first_surname: 'Urdaneta',
        birth_date: '2001-02-03',
        sex: 'F',
      },
    };
    expect(index.findCandidates(stranger)).toEqual([]);
    index.add(stranger);
    expect(index.size).toBe(601);
    expect(index.findCandidates({ ...stranger, id: 'x2' })[0]?.id).toBe('x');
  });

  it('stops returning a forgotten record (merged or erased), bulk-indexed or added', () => {
    const index = createMatchIndex(base, result.model);
    const original = base[7] as DedupRecord;
    const added: DedupRecord = { ...reEnrolled(base[8] as DedupRecord, 'late'), id: 'late' };
    index.add(added);
    expect(index.findCandidates(reEnrolled(original, 'q1')).map((c) => c.id)).toContain('p7');
    index.forget('p7');
    index.forget('late');
    expect(index.findCandidates(reEnrolled(original, 'q2')).map((c) => c.id)).not.toContain('p7');
    const nearLate = index.findCandidates(reEnrolled(base[8] as DedupRecord, 'q3'));
    expect(nearLate.map((c) => c.id)).toEqual(['p8']);
  });
});
