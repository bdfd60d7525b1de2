import { faker as fakerEs } from '@faker-js/faker/locale/es';
import { faker as fakerEsMx } from '@faker-js/faker/locale/es_MX';
import { Prng } from './prng.js';
import { WeightedTable, zipfWeights } from './weighted-table.js';

/**
 * Name lists for the demo population, taken once from faker's `es` and `es_MX` locale data
 * (never per-record faker calls, which would be far too slow) and weighted so that common
 * names are common: duplicate detection is only tested honestly when "María" and "González"
 * are as frequent as they are in a real registry.
 *
 * @example
 * const names = loadNameData();
 * names.givenNames(prng, 'F'); // e.g. 'María Alejandra'
 */
export interface NameData {
  /** One or two given names matching the sex. */
  givenNames(prng: Prng, sex: 'F' | 'M'): string;
  /** One surname, occasionally a compound one with a particle ("del Valle"). */
  surname(prng: Prng): string;
  /** A single given name, for street and sector names. */
  anyGivenName(prng: Prng, sex: 'F' | 'M'): string;
  /** Place words from faker's street lists. */
  streetWord(prng: Prng): string;
}

// The commonest names in Venezuela go first in the Zipf ranking; the rest of faker's list
// follows in a fixed shuffled order. Only the order is hand-written, not the lists.
const COMMON_FEMALE = [
  'María',
  'Carmen',
  'Ana',
  'Rosa',
  'Luisa',
  'Isabel',
  'Gabriela',
  'Daniela',
  'Andrea',
  'Valentina',
  'Mariana',
  'Carolina',
  'Yolanda',
  'Patricia',
  'Alejandra',
  'Victoria',
  'Sofía',
  'Elena',
  'Josefina',
  'Teresa',
  'Laura',
  'Marisol',
  'Mercedes',
  'Beatriz',
];
const COMMON_MALE = [
  'José',
  'Luis',
  'Carlos',
  'Juan',
  'Jesús',
  'Miguel',
  'Pedro',
  'Manuel',
  'Antonio',
  'Francisco',
  'Rafael',
  'Jorge',
  'Alejandro',
  'Gabriel',
  'Daniel',
  'Ángel',
  'David',
  'Víctor',
  'Eduardo',
  'Ricardo',
  'Fernando',
  'Andrés',
  'Javier',
  'Ramón',
];
const COMMON_SURNAMES = [
  'González',
  'Rodríguez',
  'Pérez',
  'Hernández',
  'García',
  'Martínez',
  'López',
  'Sánchez',
  'Ramírez',
  'Díaz',
  'Torres',
  'Rojas',
  'Gómez',
  'Flores',
  'Morales',
  'Suárez',
  'Contreras',
  'Medina',
  'Castillo',
  'Romero',
  'Moreno',
  'Silva',
  'Mendoza',
  'Rivas',
  'Gutiérrez',
  'Fernández',
  'Herrera',
  'Álvarez',
  'Guerrero',
  'Ramos',
  'Chacón',
  'Marcano',
  'Salazar',
];
/** Compound surnames with particles, common in Venezuela (Canarian and Portuguese roots). */
const PARTICLE_SURNAMES = [
  'de la Cruz',
  'del Valle',
  'de la Rosa',
  'de Jesús',
  'de León',
  'de Armas',
  'de los Santos',
  'de Freitas',
  'de Sousa',
  'del Castillo',
  'de la Torre',
  'de Abreu',
];
/** Catalan and other names from the es locale that are rare in Venezuela. */
const EXCLUDED = new Set([
  'Anni',
  'Carles',
  'Jordi',
  'Josep',
  'Maica',
  'Roser',
  'Sergi',
  'Xochitl',
  'Yaretzi',
]);
const PARTICLE_SURNAME_SHARE = 0.015;
const TWO_GIVEN_NAMES_SHARE = 0.4;
const MARIA_JOSE_PREFIX_SHARE = 0.12;

const SINGLE_WORD = /^[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+$/u;
const NAME_PHRASE =
  /^[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+( (de (los |las |la )?|del )?[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)*$/u;

interface SexTables {
  entries: WeightedTable<string>;
  singles: WeightedTable<string>;
  prefix: string;
}

/** Reads the faker lists and builds the weighted tables; call once at start-up. */
export function loadNameData(): NameData {
  const order = new Prng('amparo-name-order');
  const female = sexTables(order, 'female', COMMON_FEMALE, 'María');
  const male = sexTables(order, 'male', COMMON_MALE, 'José');
  const surnames = rankedTable(
    order,
    unionOf('person', 'last_name', SINGLE_WORD, 'generic'),
    COMMON_SURNAMES,
  );
  const particles = new WeightedTable(
    PARTICLE_SURNAMES,
    zipfWeights(PARTICLE_SURNAMES.length, 1, 1),
  );
  const streetWords = unionOf('location', 'street_name_part', NAME_PHRASE);
  return {
    givenNames: (prng, sex) => givenNamesFrom(prng, sex === 'F' ? female : male),
    surname: (prng) =>
      prng.chance(PARTICLE_SURNAME_SHARE) ? particles.sample(prng) : surnames.sample(prng),
    anyGivenName: (prng, sex) => (sex === 'F' ? female : male).singles.sample(prng),
    streetWord: (prng) => prng.pick(streetWords),
  };
}

function givenNamesFrom(prng: Prng, tables: SexTables): string {
  if (prng.chance(MARIA_JOSE_PREFIX_SHARE)) {
    const second = tables.singles.sample(prng);
    return second === tables.prefix ? second : `${tables.prefix} ${second}`;
  }
  const first = tables.entries.sample(prng);
  if (first.includes(' ') || !prng.chance(TWO_GIVEN_NAMES_SHARE)) return first;
  const second = tables.singles.sample(prng);
  return second === first ? first : `${first} ${second}`;
}

function sexTables(
  order: Prng,
  sex: 'female' | 'male',
  common: readonly string[],
  prefix: string,
): SexTables {
  const all = unionOf('person', 'first_name', NAME_PHRASE, sex);
  return {
    entries: rankedTable(order, all, common),
    singles: rankedTable(
      order,
      all.filter((name) => SINGLE_WORD.test(name)),
      common,
    ),
    prefix,
  };
}

/** Common names first, then the rest in a fixed shuffled order, weighted by Zipf rank. */
function rankedTable(order: Prng, names: readonly string[], common: readonly string[]) {
  const rest = names.filter((name) => !common.includes(name));
  for (let index = rest.length - 1; index > 0; index -= 1) {
    const swap = order.int(0, index);
    [rest[index], rest[swap]] = [rest[swap] ?? '', rest[index] ?? ''];
  }
  const ranked = [...common, ...rest];
  return new WeightedTable(ranked, zipfWeights(ranked.length, 1.05, 4));
}

/** The union of a definition list across the es and es_MX locales, filtered and sorted. */
function unionOf(section: string, key: string, pattern: RegExp, subKey?: string): string[] {
  const found = new Set<string>();
  for (const definitions of [fakerEs.rawDefinitions, fakerEsMx.rawDefinitions]) {
    let value: unknown = Reflect.get(Reflect.get(definitions, section) ?? {}, key);
    if (subKey !== undefined && typeof value === 'object' && value !== null) {
      value = Reflect.get(value, subKey);
    }
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      if (typeof item === 'string' && pattern.test(item) && !EXCLUDED.has(item)) found.add(item);
    }
  }
  return [...found].sort();
}
