import { describe, expect, it } from 'vitest';
import { findParish, findState, isValidAddressCodes } from '../geography/divisions.js';
import {
  DISABILITY_STATUSES,
  type PopulationRecord,
  RELATIONSHIPS,
} from '../registry/import/population-record.js';
import { validatePopulationOptions } from './options.js';
import { generatePopulation, planCounts } from './population.js';

const PERSONS = 6000;
const options = validatePopulationOptions({
  persons: PERSONS,
  seed: 'population-test',
  duplicateShare: 0.05,
  referenceDate: '2026-01-01',
});
const records = [...generatePopulation(options)];
const originals = records.filter((record) => record.duplicateOfRecordId === '');
const duplicates = records.filter((record) => record.duplicateOfRecordId !== '');
const byId = new Map(records.map((record) => [record.recordId, record]));

function households(): Map<string, PopulationRecord[]> {
  const groups = new Map<string, PopulationRecord[]>();
  for (const record of records) {
    const group = groups.get(record.householdId) ?? [];
    group.push(record);
    groups.set(record.householdId, group);
  }
  return groups;
}

/** Year, for comparing approximate (year-only) and exact dates of birth. */
function birthYear(record: PopulationRecord): number {
  return Number(record.birthDate.slice(0, 4));
}

describe('generatePopulation', () => {
  it('writes exactly the requested number of records and duplicates', () => {
    expect(records).toHaveLength(PERSONS);
    expect(duplicates).toHaveLength(Math.round(PERSONS * 0.05));
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const small = { ...options, persons: 800 };
    const again = [...generatePopulation(small)];
    expect(again).toEqual([...generatePopulation(small)]);
    const other = [...generatePopulation({ ...options, persons: 500, seed: 'another' })];
    expect(other.map((record) => record.givenNames)).not.toEqual(
      again.map((record) => record.givenNames),
    );
  });

  it('numbers records in file order, and never reuses a household id', () => {
    const misnumbered = records.filter(
      (record, index) => record.recordId !== `R${String(index + 1).padStart(8, '0')}`,
    );
    expect(misnumbered).toEqual([]);
    const seen = new Set<string>();
    let previous = '';
    for (const record of records) {
      if (record.householdId !== previous) {
        expect(seen.has(record.householdId)).toBe(false);
        seen.add(record.householdId);
      }
      previous = record.householdId;
    }
  });

  it('uses only valid geography codes, and no one lives in the Federal Dependencies', () => {
    const invalid = records.filter(
      (record) =>
        !isValidAddressCodes(record) ||
        findParish(record.parishCode) === undefined ||
        record.stateCode === 'VE-W' ||
        (record.birthStateCode !== '' && findState(record.birthStateCode) === undefined),
    );
    expect(invalid).toEqual([]);
  });

  it('keeps household invariants: one head first, 1 to 12 members, shared address', () => {
    for (const members of households().values()) {
      expect(members.length).toBeGreaterThanOrEqual(1);
      expect(members.length).toBeLessThanOrEqual(12);
      expect(members.filter((member) => member.relationship === 'head')).toHaveLength(1);
      expect(members[0]?.relationship).toBe('head');
      expect(new Set(members.map((member) => member.addressLine)).size).toBe(1);
      expect(new Set(members.map((member) => member.parishCode)).size).toBe(1);
    }
  });

  it('makes children younger and parents older than the head', () => {
    for (const members of households().values()) {
      const head = members[0];
      if (head === undefined) continue;
      for (const member of members) {
        if (member.relationship === 'child' || member.relationship === 'grandchild') {
          expect(birthYear(member)).toBeGreaterThan(birthYear(head));
        }
        if (member.relationship === 'parent') {
          expect(birthYear(member)).toBeLessThan(birthYear(head));
        }
      }
    }
  });

  it('gives children the first surname of the head or of the spouse, by sex', () => {
    for (const members of households().values()) {
      const head = members[0];
      const spouse = members.find((member) => member.relationship === 'spouse');
      if (head === undefined || spouse === undefined) continue;
      const father = head.sex === 'M' ? head : spouse;
      const mother = head.sex === 'M' ? spouse : head;
      for (const child of members.filter((member) => member.relationship === 'child')) {
        expect([child.firstSurname, child.secondSurname]).toEqual([
          father.firstSurname,
          mother.firstSurname,
        ]);
      }
    }
  });

  it('has a realistic household size and plenty of children', () => {
    const originalHouseholds = new Set(originals.map((record) => record.householdId)).size;
    const meanSize = originals.length / originalHouseholds;
    expect(meanSize).toBeGreaterThanOrEqual(3.4);
    expect(meanSize).toBeLessThanOrEqual(4.1);
    const minors = records.filter((record) => birthYear(record) > 2026 - 18).length;
    expect(minors / records.length).toBeGreaterThan(0.2);
  });

  it('never has a date of birth after the reference date, and has some year-only dates', () => {
    const invalid = records.filter((record) =>
      record.birthDateApproximate
        ? !/^\d{4}$/.test(record.birthDate) || Number(record.birthDate) > 2026 - 64
        : !/^\d{4}-\d{2}-\d{2}$/.test(record.birthDate) || record.birthDate > '2026-01-01',
    );
    expect(invalid).toEqual([]);
    const later = [...generatePopulation({ ...options, persons: 20_000, seed: 'old' })];
    expect(later.some((record) => record.birthDateApproximate)).toBe(true);
  });

  it('fills the other columns with valid codes and formats', () => {
    const relationships: readonly string[] = RELATIONSHIPS;
    const disabilities: readonly string[] = DISABILITY_STATUSES;
    const invalid = records.filter(
      (record) =>
        !relationships.includes(record.relationship) ||
        !disabilities.includes(record.disabilityStatus) ||
        !(record.sex === 'F' || record.sex === 'M') ||
        !/^(\+58(412|414|416|424|426)\d{7})?$/.test(record.phone) ||
        !/^[A-Z]{2}$/.test(record.nationality) ||
        !/^[a-z]{2,3}$/.test(record.preferredLanguage) ||
        !(record.incomeBand >= 1 && record.incomeBand <= 5) ||
        record.givenNames.trim() === '' ||
        record.firstSurname.trim() === '',
    );
    expect(invalid).toEqual([]);
  });

  it('gives no phone to children and one to about three adults in four', () => {
    const originalsWithAge = originals.map((record) => ({ record, age: 2025 - birthYear(record) }));
    expect(originalsWithAge.filter(({ age, record }) => age < 17 && record.phone !== '')).toEqual(
      [],
    );
    const adults = originalsWithAge.filter(({ age }) => age >= 19);
    const share = adults.filter(({ record }) => record.phone !== '').length / adults.length;
    expect(share).toBeGreaterThan(0.68);
    expect(share).toBeLessThan(0.82);
  });
});

describe('duplicate enrolments', () => {
  it('share the person id of an earlier original and differ from it', () => {
    const position = new Map(records.map((record, index) => [record.recordId, index]));
    for (const duplicate of duplicates) {
      const original = byId.get(duplicate.duplicateOfRecordId);
      expect(original?.duplicateOfRecordId).toBe('');
      expect(duplicate.personId).toBe(original?.personId);
      expect(duplicate.householdId).not.toBe(original?.householdId);
      const gap =
        (position.get(duplicate.recordId) ?? 0) - (position.get(original?.recordId ?? '') ?? 0);
      expect(gap).toBeGreaterThan(1);
      const identity = (record: PopulationRecord | undefined) => [
        record?.givenNames,
        record?.firstSurname,
        record?.secondSurname,
        record?.birthDate,
        record?.parishCode,
        record?.addressLine,
        record?.phone,
      ];
      expect(identity(duplicate)).not.toEqual(identity(original));
      expect(duplicate.sex).toBe(original?.sex);
    }
  });

  it('live alone in a new household of their own', () => {
    const sizes = households();
    for (const duplicate of duplicates) {
      expect(sizes.get(duplicate.householdId)).toHaveLength(1);
      expect(duplicate.relationship).toBe('head');
    }
  });

  it('give every original a distinct person id', () => {
    expect(new Set(originals.map((record) => record.personId)).size).toBe(originals.length);
  });

  it('are spread along the file rather than bunched at the end', () => {
    const firstHalf = duplicates.filter((record) => record.recordId <= 'R00003000').length;
    expect(firstHalf / duplicates.length).toBeGreaterThan(0.35);
    expect(firstHalf / duplicates.length).toBeLessThan(0.65);
  });

  it('keep at least one original, even at the largest share', () => {
    expect(planCounts({ persons: 1, duplicateShare: 0.5 })).toEqual({
      records: 1,
      originals: 1,
      duplicates: 0,
    });
    const tiny = [...generatePopulation({ ...options, persons: 3, duplicateShare: 0.5 })];
    expect(tiny).toHaveLength(3);
    expect(tiny.filter((record) => record.duplicateOfRecordId !== '')).toHaveLength(2);
  });

  it('have the requested share at other settings too', () => {
    const none = [...generatePopulation({ ...options, persons: 1000, duplicateShare: 0 })];
    expect(none.filter((record) => record.duplicateOfRecordId !== '')).toHaveLength(0);
    const many = [...generatePopulation({ ...options, persons: 1001, duplicateShare: 0.3 })];
    expect(many.filter((record) => record.duplicateOfRecordId !== '')).toHaveLength(300);
  });
});
