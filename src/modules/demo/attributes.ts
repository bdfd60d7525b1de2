import type { DisabilityStatus } from '../registry/index.js';
import { birthDaysForAge, formatDate } from './calendar.js';
import type { NameData } from './name-data.js';
import type { Prng } from './prng.js';
import { tableOf } from './weighted-table.js';

/**
 * Person and household attributes other than names and family structure: dates of birth,
 * phones, nationality, disability, income and the free-text address line. The shares are
 * rough figures chosen for realism, not statistics to quote.
 */

export const ADULT_AGE_YEARS = 18;
const ELDERLY_AGE_YEARS = 65;
/** Share of elderly people whose date of birth is known only by year (late registration). */
const APPROXIMATE_BIRTH_DATE_SHARE_ELDERLY = 0.03;
const ADULT_PHONE_SHARE = 0.75;

const MOBILE_PREFIXES = tableOf([
  ['412', 0.25],
  ['414', 0.3],
  ['424', 0.25],
  ['416', 0.12],
  ['426', 0.08],
]);

const NATIONALITIES = tableOf([
  ['VE', 0.955],
  ['CO', 0.03],
  ['PE', 0.004],
  ['EC', 0.004],
  ['CU', 0.002],
  ['ES', 0.002],
  ['PT', 0.002],
  ['DO', 0.0005],
  ['IT', 0.0005],
]);

const INCOME_BANDS = tableOf([
  [1, 0.33],
  [2, 0.3],
  [3, 0.2],
  [4, 0.11],
  [5, 0.06],
]);

const DISABILITIES = tableOf<DisabilityStatus>([
  ['physical', 0.35],
  ['visual', 0.2],
  ['hearing', 0.13],
  ['intellectual', 0.12],
  ['psychosocial', 0.1],
  ['multiple', 0.1],
]);

/** The date of birth for an age in whole years, year-only for a few elderly people. */
export function birthDateFor(
  prng: Prng,
  referenceDays: number,
  ageYears: number,
): { birthDate: string; birthDateApproximate: boolean } {
  const date = formatDate(birthDaysForAge(referenceDays, ageYears, prng.float()));
  if (ageYears >= ELDERLY_AGE_YEARS && prng.chance(APPROXIMATE_BIRTH_DATE_SHARE_ELDERLY)) {
    return { birthDate: date.slice(0, 4), birthDateApproximate: true };
  }
  return { birthDate: date, birthDateApproximate: false };
}

/** An E.164 Venezuelan mobile number for about three adults in four; children have none. */
export function phoneFor(prng: Prng, ageYears: number): string {
  if (ageYears < ADULT_AGE_YEARS || !prng.chance(ADULT_PHONE_SHARE)) return '';
  const subscriber = String(prng.int(0, 9_999_999)).padStart(7, '0');
  return `+58${MOBILE_PREFIXES.sample(prng)}${subscriber}`;
}

export function householdNationality(prng: Prng): string {
  return NATIONALITIES.sample(prng);
}

/** Children of migrants are often born in Venezuela; some adults have naturalised. */
export function memberNationality(prng: Prng, household: string, ageYears: number): string {
  if (household === 'VE') return 'VE';
  const foreignShare = ageYears < ADULT_AGE_YEARS ? 0.4 : 0.85;
  return prng.chance(foreignShare) ? household : 'VE';
}

export function incomeBand(prng: Prng): number {
  return INCOME_BANDS.sample(prng);
}

/** Disability becomes more common with age. */
export function disabilityFor(prng: Prng, ageYears: number): DisabilityStatus {
  const extra = ageYears >= ELDERLY_AGE_YEARS ? 0.09 : ageYears >= 45 ? 0.02 : 0;
  return prng.chance(0.025 + extra) ? DISABILITIES.sample(prng) : 'none';
}

const STREET_KINDS = ['Calle', 'Avenida', 'Av.', 'Vereda', 'Callejón', 'Transversal'];
const SECTOR_KINDS = ['Sector', 'Urbanización', 'Urb.', 'Barrio', 'Caserío', 'Residencias'];

/** A Venezuelan-style address line: street, sector, then house or flat. */
export function addressLineFor(prng: Prng, names: NameData): string {
  return `${streetFor(prng, names)}, ${sectorFor(prng, names)}, ${dwellingFor(prng, names)}`;
}

function streetFor(prng: Prng, names: NameData): string {
  const roll = prng.float();
  // Maracaibo, Barquisimeto and others number their streets and "carreras".
  if (roll < 0.3) return `${prng.chance(0.6) ? 'Calle' : 'Carrera'} ${prng.int(1, 120)}`;
  const kind = prng.pick(STREET_KINDS);
  if (roll < 0.6) return `${kind} ${names.surname(prng)}`;
  if (roll < 0.8) return `${kind} ${names.anyGivenName(prng, 'M')} ${names.surname(prng)}`;
  return `${kind} ${names.streetWord(prng)}`;
}

function sectorFor(prng: Prng, names: NameData): string {
  const kind = prng.pick(SECTOR_KINDS);
  const roll = prng.float();
  if (roll < 0.25) return `${kind} San ${names.anyGivenName(prng, 'M')}`;
  if (roll < 0.45) return `${kind} Santa ${names.anyGivenName(prng, 'F')}`;
  if (roll < 0.75) return `${kind} ${names.surname(prng)}`;
  return `${kind} ${names.streetWord(prng)}`;
}

function dwellingFor(prng: Prng, names: NameData): string {
  const roll = prng.float();
  if (roll < 0.45) return `Casa Nro. ${prng.int(1, 300)}`;
  if (roll < 0.65) return `Casa ${prng.int(1, 150)}-${prng.int(1, 99)}`;
  if (roll < 0.85) {
    const floor = prng.int(1, 15);
    const letter = prng.pick(['A', 'B', 'C', 'D']);
    return `Edif. ${names.surname(prng)}, Piso ${floor}, Apto ${floor}-${letter}`;
  }
  return `Quinta ${names.anyGivenName(prng, 'F')}`;
}
