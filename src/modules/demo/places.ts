import { listStates, type Municipality, type Parish, type State } from '../geography/index.js';
import type { Prng } from './prng.js';
import { tableOf, WeightedTable } from './weighted-table.js';

/**
 * Picks where a household lives, roughly weighted by population, and its language. The
 * weights are the 2011 census populations in thousands, rounded: the demo needs Zulia to be
 * large and Amazonas small, not exact figures. The Federal Dependencies have no
 * municipalities and almost no residents, so nobody is placed there.
 *
 * @example
 * const places = createPlacePicker();
 * places.pickParish(prng).stateCode; // 'VE-V' about 13% of the time
 */
export interface PlacePicker {
  pickParish(prng: Prng): Parish;
  /** Another parish for a person who moved: half of the time in the same municipality. */
  pickOtherParish(prng: Prng, current: Parish): Parish;
  /** A state of birth, weighted like residence. */
  pickState(prng: Prng): string;
  municipality(code: string): Municipality;
  /** ISO 639 code of the household's preferred language, depending on the region. */
  pickLanguage(prng: Prng, stateCode: string): string;
}

const STATE_POPULATION_THOUSANDS: Readonly<Record<string, number>> = {
  'VE-V': 3704,
  'VE-M': 2676,
  'VE-G': 2245,
  'VE-A': 1944,
  'VE-K': 1775,
  'VE-D': 1631,
  'VE-B': 1470,
  'VE-F': 1411,
  'VE-S': 1169,
  'VE-N': 906,
  'VE-I': 902,
  'VE-R': 896,
  'VE-P': 877,
  'VE-L': 828,
  'VE-E': 817,
  'VE-J': 748,
  'VE-T': 687,
  'VE-U': 600,
  'VE-O': 492,
  'VE-C': 459,
  'VE-X': 353,
  'VE-H': 324,
  'VE-Y': 168,
  'VE-Z': 147,
};

/** The capital's municipality is usually the most populous one in its state. */
const CAPITAL_MUNICIPALITY_WEIGHT = 4;

/**
 * Indigenous languages by state, ISO 639-3: Wayuunaiki (guc), Yukpa (yup), Barí (mot),
 * Warao (wba), Piaroa (pid), Yanomamö (guu), Pemón (aoc), Kari'ña (car), E'ñepá (pbh),
 * Pumé (yae). Shares of households are rough, for realism only.
 */
const INDIGENOUS_LANGUAGES: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  'VE-V': [
    ['guc', 0.08],
    ['yup', 0.004],
    ['mot', 0.003],
  ],
  'VE-Y': [['wba', 0.18]],
  'VE-Z': [
    ['pid', 0.12],
    ['guu', 0.06],
  ],
  'VE-F': [
    ['aoc', 0.04],
    ['pbh', 0.01],
    ['car', 0.005],
  ],
  'VE-B': [['car', 0.02]],
  'VE-N': [
    ['wba', 0.01],
    ['car', 0.01],
  ],
  'VE-C': [['yae', 0.02]],
};

/** Codes of the states the generator can place households in. */
export function populatedStateCodes(): string[] {
  return listStates()
    .filter((state) => state.municipalities.length > 0)
    .map((state) => state.code);
}

/**
 * Builds the weighted tables once from the geography catalogue; with `regions`, only those
 * states are drawn (for residence, moves and birth), keeping their relative weights.
 */
export function createPlacePicker(regions?: readonly string[]): PlacePicker {
  const allowed = regions === undefined ? undefined : new Set(regions);
  const populated = listStates().filter(
    (state) =>
      state.municipalities.length > 0 && (allowed === undefined || allowed.has(state.code)),
  );
  if (populated.length === 0) throw new Error('no populated state among the regions');
  const states = new WeightedTable(
    populated,
    populated.map((state) => STATE_POPULATION_THOUSANDS[state.code] ?? 0),
  );
  const municipalityTables = new Map(
    populated.map((state) => [state.code, municipalityTable(state)]),
  );
  const municipalities = new Map(
    populated.flatMap((state) => state.municipalities.map((m) => [m.code, m] as const)),
  );
  const languageTables = new Map(
    Object.entries(INDIGENOUS_LANGUAGES).map(([code, languages]) => {
      const indigenousShare = languages.reduce((sum, [, share]) => sum + share, 0);
      return [code, tableOf([...languages, ['es', 1 - indigenousShare]])] as const;
    }),
  );
  const pickInState = (prng: Prng, stateCode: string): Parish => {
    const municipality = municipalityTables.get(stateCode)?.sample(prng);
    if (municipality === undefined) throw new Error(`no municipalities in ${stateCode}`);
    return prng.pick(municipality.parishes);
  };
  return {
    pickParish: (prng) => pickInState(prng, states.sample(prng).code),
    pickOtherParish: (prng, current) => {
      const municipality = municipalities.get(current.municipalityCode);
      const sameMunicipality = municipality !== undefined && municipality.parishes.length > 1;
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const candidate =
          sameMunicipality && prng.chance(0.5)
            ? prng.pick(municipality.parishes)
            : pickInState(prng, states.sample(prng).code);
        if (candidate.code !== current.code) return candidate;
      }
      throw new Error('could not find another parish');
    },
    pickState: (prng) => states.sample(prng).code,
    municipality: (code) => {
      const found = municipalities.get(code);
      if (found === undefined) throw new Error(`unknown municipality ${code}`);
      return found;
    },
    pickLanguage: (prng, stateCode) => languageTables.get(stateCode)?.sample(prng) ?? 'es',
  };
}

function municipalityTable(state: State): WeightedTable<Municipality> {
  return new WeightedTable(
    state.municipalities,
    state.municipalities.map(
      (municipality) =>
        municipality.parishes.length *
        (municipality.capital === state.capital ? CAPITAL_MUNICIPALITY_WEIGHT : 1),
    ),
  );
}
