import type { Parish } from '../geography/index.js';
import type { PopulationRecord } from '../registry/index.js';
import type { Prng } from './prng.js';
import { tableOf } from './weighted-table.js';

/**
 * Turns a person's record into a second, noisy enrolment of the same person, with the
 * mistakes clerks and forms really make: typos on neighbouring keys, b/v and s/z/c and ll/y
 * confusions, lost accents, given names in another order or swapped with the surnames, a
 * dropped second surname, day and month of birth transposed, a move to another parish, a
 * phone left out. Each duplicate gets one to three of them and always differs from the
 * original in at least one identity field.
 *
 * @example
 * const noisy = addNoise(prng, original, { moveParish });
 * noisy.givenNames; // 'Maria Jose' for an original 'María José'
 */
export type NoisyFields = {
  -readonly [Key in NoisyKey]: PopulationRecord[Key];
};

type NoisyKey =
  | 'givenNames'
  | 'firstSurname'
  | 'secondSurname'
  | 'birthDate'
  | 'stateCode'
  | 'municipalityCode'
  | 'parishCode'
  | 'locality'
  | 'addressLine'
  | 'phone';

export interface NoiseEnvironment {
  /** A new place for someone who moved: parish, its locality and a new address line. */
  move(
    prng: Prng,
    current: Parish['code'],
  ): Pick<
    NoisyFields,
    'stateCode' | 'municipalityCode' | 'parishCode' | 'locality' | 'addressLine'
  >;
}

type NameField = 'givenNames' | 'firstSurname' | 'secondSurname';
type Operation = (prng: Prng, fields: NoisyFields, environment: NoiseEnvironment) => boolean;

const NAME_FIELDS = tableOf<NameField>([
  ['givenNames', 0.45],
  ['firstSurname', 0.35],
  ['secondSurname', 0.2],
]);

const OPERATION_COUNTS = tableOf([
  [1, 0.6],
  [2, 0.3],
  [3, 0.1],
]);

const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjklñ', 'zxcvbnm'];

/** Each entry: a pattern, and what it may be misspelt as. */
const SPELLING_VARIANTS: readonly (readonly [RegExp, readonly string[]])[] = [
  [/b/g, ['v']],
  [/v/g, ['b']],
  [/ll/g, ['y']],
  [/y(?=[aeiouáéíóú])/g, ['ll']],
  [/z/g, ['s']],
  [/s(?=[aeiouáéíóú])/g, ['z', 'c']],
  [/c(?=[eiéí])/g, ['s', 'z']],
];

const KEY_NEIGHBOURS = buildKeyNeighbours();

/** A noisy copy of the identity fields; never equal to the input. */
export function addNoise(
  prng: Prng,
  original: NoisyFields,
  environment: NoiseEnvironment,
): NoisyFields {
  // Only the noisy fields are copied, even when a whole record is passed in.
  const fields = pickNoisyFields(original);
  const wanted = OPERATION_COUNTS.sample(prng);
  let applied = 0;
  // Some operations do not apply to every record (no accent to drop): draw again.
  for (let attempt = 0; applied < wanted && attempt < 20; attempt += 1) {
    if (OPERATIONS.sample(prng)(prng, fields, environment)) applied += 1;
  }
  while (sameIdentity(fields, original)) typo(prng, fields);
  return fields;
}

const NOISY_KEYS: readonly (keyof NoisyFields)[] = [
  'givenNames',
  'firstSurname',
  'secondSurname',
  'birthDate',
  'stateCode',
  'municipalityCode',
  'parishCode',
  'locality',
  'addressLine',
  'phone',
];

function pickNoisyFields(from: NoisyFields): NoisyFields {
  return {
    givenNames: from.givenNames,
    firstSurname: from.firstSurname,
    secondSurname: from.secondSurname,
    birthDate: from.birthDate,
    stateCode: from.stateCode,
    municipalityCode: from.municipalityCode,
    parishCode: from.parishCode,
    locality: from.locality,
    addressLine: from.addressLine,
    phone: from.phone,
  };
}

function sameIdentity(a: NoisyFields, b: NoisyFields): boolean {
  return NOISY_KEYS.every((key) => a[key] === b[key]);
}

function typo(prng: Prng, fields: NoisyFields): boolean {
  const field = nonEmptyNameField(prng, fields);
  const value = fields[field];
  const position = letterPosition(prng, value);
  const character = value[position] ?? '';
  const kind = prng.int(0, 3);
  if (kind === 0 || value.length < 3) {
    fields[field] = replaceAt(value, position, 1, nearKey(prng, character));
  } else if (kind === 1) {
    fields[field] = replaceAt(value, position, 0, nearKey(prng, character));
  } else if (kind === 2) {
    fields[field] = replaceAt(value, position, 1, '');
  } else {
    const next = value[position + 1];
    if (next === undefined || next === ' ' || next === character) return typo(prng, fields);
    fields[field] = replaceAt(value, position, 2, `${next}${character}`);
  }
  return true;
}

function spellingVariant(prng: Prng, fields: NoisyFields): boolean {
  const field = nonEmptyNameField(prng, fields);
  const value = fields[field];
  const candidates = SPELLING_VARIANTS.flatMap(([pattern, replacements]) =>
    [...value.toLowerCase().matchAll(pattern)].map((match) => ({ match, replacements })),
  );
  if (candidates.length === 0) return false;
  const { match, replacements } = prng.pick(candidates);
  const at = match.index ?? 0;
  const original = value.slice(at, at + match[0].length);
  let replacement = prng.pick(replacements);
  if (original[0] !== original[0]?.toLowerCase()) replacement = capitalise(replacement);
  fields[field] = replaceAt(value, at, match[0].length, replacement);
  return true;
}

function dropAccents(_prng: Prng, fields: NoisyFields): boolean {
  let changed = false;
  for (const field of ['givenNames', 'firstSurname', 'secondSurname'] as const) {
    // Strip acute accents and diaeresis but keep ñ, which Spanish keyboards have.
    const stripped = fields[field]
      .normalize('NFD')
      .replace(/n\u0303/g, 'ñ')
      .replace(/N\u0303/g, 'Ñ')
      .replace(/[\u0300-\u036f]/g, '');
    changed ||= stripped !== fields[field];
    fields[field] = stripped;
  }
  return changed;
}

function swapGivenNameOrder(_prng: Prng, fields: NoisyFields): boolean {
  const parts = fields.givenNames.split(' ');
  if (parts.length !== 2) return false;
  fields.givenNames = `${parts[1]} ${parts[0]}`;
  return true;
}

function swapGivenNamesAndSurnames(_prng: Prng, fields: NoisyFields): boolean {
  const given = fields.givenNames.split(' ');
  const surnames = [fields.firstSurname, fields.secondSurname].filter((part) => part !== '');
  if (given.length > 2 || surnames.some((part) => part.includes(' '))) return false;
  fields.givenNames = surnames.join(' ');
  fields.firstSurname = given[0] ?? '';
  fields.secondSurname = given[1] ?? '';
  return true;
}

function dropSecondSurname(_prng: Prng, fields: NoisyFields): boolean {
  if (fields.secondSurname === '') return false;
  fields.secondSurname = '';
  return true;
}

function transposeDayAndMonth(_prng: Prng, fields: NoisyFields): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(fields.birthDate);
  if (match === null || match[2] === match[3] || Number(match[3]) > 12) return false;
  fields.birthDate = `${match[1]}-${match[3]}-${match[2]}`;
  return true;
}

function moveAway(prng: Prng, fields: NoisyFields, environment: NoiseEnvironment): boolean {
  Object.assign(fields, environment.move(prng, fields.parishCode));
  return true;
}

function dropPhone(_prng: Prng, fields: NoisyFields): boolean {
  if (fields.phone === '') return false;
  fields.phone = '';
  return true;
}

const OPERATIONS = tableOf<Operation>([
  [typo, 0.3],
  [spellingVariant, 0.15],
  [dropAccents, 0.12],
  [moveAway, 0.1],
  [dropSecondSurname, 0.08],
  [swapGivenNameOrder, 0.07],
  [transposeDayAndMonth, 0.07],
  [dropPhone, 0.07],
  [swapGivenNamesAndSurnames, 0.04],
]);

function nonEmptyNameField(prng: Prng, fields: NoisyFields): NameField {
  const field = NAME_FIELDS.sample(prng);
  return fields[field] === '' ? 'givenNames' : field;
}

function letterPosition(prng: Prng, value: string): number {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const position = prng.int(0, value.length - 1);
    if (value[position] !== ' ') return position;
  }
  return 0;
}

function nearKey(prng: Prng, character: string): string {
  const base = character.normalize('NFD')[0]?.toLowerCase() ?? 'a';
  const neighbours = KEY_NEIGHBOURS.get(base) ?? ['e'];
  const key = prng.pick(neighbours);
  return character === character.toLowerCase() ? key : key.toUpperCase();
}

function buildKeyNeighbours(): Map<string, string[]> {
  const neighbours = new Map<string, string[]>();
  KEYBOARD_ROWS.forEach((row, rowIndex) => {
    [...row].forEach((key, column) => {
      const near: string[] = [];
      for (const [rowOffset, columnOffsets] of [
        [0, [-1, 1]],
        [-1, [0, 1]],
        [1, [-1, 0]],
      ] as const) {
        for (const columnOffset of columnOffsets) {
          const found = KEYBOARD_ROWS[rowIndex + rowOffset]?.[column + columnOffset];
          if (found !== undefined) near.push(found);
        }
      }
      neighbours.set(key, near);
    });
  });
  return neighbours;
}

function replaceAt(value: string, at: number, length: number, replacement: string): string {
  return `${value.slice(0, at)}${replacement}${value.slice(at + length)}`;
}

function capitalise(value: string): string {
  return `${value[0]?.toUpperCase() ?? ''}${value.slice(1)}`;
}
