import { readFileSync } from 'node:fs';

/**
 * Venezuela's states, municipalities and parishes, read once from
 * `src/shared/geography/divisions.json` (CC BY 4.0, see DIVISIONS-LICENSE.md there) into a frozen
 * catalogue. The file sits in src/shared/ because the console reads the same data.
 *
 * States carry their ISO 3166-2:VE code. Municipalities and parishes have no official short
 * code, so codes are derived from their position in the file: the third municipality of
 * Amazonas is `VE-Z-03`, its first parish `VE-Z-03-01`. The file is only ever appended to,
 * so these codes stay stable.
 *
 * @example
 * const parish = findParish('VE-V-13-01');
 * parish?.municipalityCode; // 'VE-V-13'
 * isValidAddressCodes({ stateCode: 'VE-V', municipalityCode: 'VE-V-13', parishCode: 'VE-V-13-01' }); // true
 */

/** A parish (parroquia), the smallest division. */
export interface Parish {
  readonly code: string;
  readonly name: string;
  readonly municipalityCode: string;
  readonly stateCode: string;
}

/** A municipality (municipio) with its parishes in file order. */
export interface Municipality {
  readonly code: string;
  readonly name: string;
  readonly capital: string;
  readonly stateCode: string;
  readonly parishes: readonly Parish[];
}

/** A first-level division: a state, the Capital District or the Federal Dependencies. */
export interface State {
  /** ISO 3166-2:VE code, e.g. `VE-V` for Zulia. */
  readonly code: string;
  readonly name: string;
  /** Null for the Federal Dependencies, which have no capital. */
  readonly capital: string | null;
  /** The name before a renaming (La Guaira was Vargas until 2019). */
  readonly formerName: string | null;
  /** Empty for the Federal Dependencies (VE-W), which have no municipalities. */
  readonly municipalities: readonly Municipality[];
}

/** The codes of an address, from the coarsest to the finest; finer ones are optional. */
export interface AddressCodes {
  stateCode: string;
  municipalityCode?: string | undefined;
  parishCode?: string | undefined;
}

interface Catalogue {
  readonly states: readonly State[];
  readonly statesByCode: ReadonlyMap<string, State>;
  readonly municipalitiesByCode: ReadonlyMap<string, Municipality>;
  readonly parishesByCode: ReadonlyMap<string, Parish>;
  readonly municipalities: readonly Municipality[];
  readonly parishes: readonly Parish[];
}

const catalogue: Catalogue = buildCatalogue(
  JSON.parse(
    readFileSync(new URL('../../shared/geography/divisions.json', import.meta.url), 'utf8'),
  ),
);

/** All 25 first-level divisions in file order. */
export function listStates(): readonly State[] {
  return catalogue.states;
}

/** All municipalities of all states, in file order. */
export function listMunicipalities(): readonly Municipality[] {
  return catalogue.municipalities;
}

/** All parishes of all municipalities, in file order. */
export function listParishes(): readonly Parish[] {
  return catalogue.parishes;
}

/** The state with this ISO 3166-2:VE code, e.g. `findState('VE-A')` is the Capital District. */
export function findState(code: string): State | undefined {
  return catalogue.statesByCode.get(code);
}

/** The municipality with this derived code, e.g. `findMunicipality('VE-A-01')` is Libertador. */
export function findMunicipality(code: string): Municipality | undefined {
  return catalogue.municipalitiesByCode.get(code);
}

/** The parish with this derived code, e.g. `findParish('VE-Z-01-03')`. */
export function findParish(code: string): Parish | undefined {
  return catalogue.parishesByCode.get(code);
}

/**
 * True when every given code exists and each one lies inside the coarser one: the parish in
 * the municipality, the municipality in the state. A parish without its municipality is
 * refused, because an address must name the whole chain down to its finest level.
 */
export function isValidAddressCodes(codes: AddressCodes): boolean {
  const state = findState(codes.stateCode);
  if (state === undefined) return false;
  if (codes.municipalityCode === undefined || codes.municipalityCode === '') {
    return codes.parishCode === undefined || codes.parishCode === '';
  }
  const municipality = findMunicipality(codes.municipalityCode);
  if (municipality === undefined || municipality.stateCode !== state.code) return false;
  if (codes.parishCode === undefined || codes.parishCode === '') return true;
  const parish = findParish(codes.parishCode);
  return parish !== undefined && parish.municipalityCode === municipality.code;
}

function buildCatalogue(raw: unknown): Catalogue {
  if (!Array.isArray(raw)) throw new Error('divisions.json: expected an array of states');
  const statesByCode = new Map<string, State>();
  const municipalitiesByCode = new Map<string, Municipality>();
  const parishesByCode = new Map<string, Parish>();
  for (const entry of raw) {
    const state = buildState(entry);
    addUnique(statesByCode, state.code, state);
    for (const municipality of state.municipalities) {
      addUnique(municipalitiesByCode, municipality.code, municipality);
      for (const parish of municipality.parishes) addUnique(parishesByCode, parish.code, parish);
    }
  }
  return Object.freeze({
    states: Object.freeze([...statesByCode.values()]),
    statesByCode,
    municipalitiesByCode,
    parishesByCode,
    municipalities: Object.freeze([...municipalitiesByCode.values()]),
    parishes: Object.freeze([...parishesByCode.values()]),
  });
}

function buildState(entry: unknown): State {
  const code = stringField(entry, 'iso_31662');
  if (!/^VE-[A-Z]$/.test(code)) throw new Error(`divisions.json: bad ISO 3166-2 code ${code}`);
  const rawMunicipalities = field(entry, 'municipios');
  if (!Array.isArray(rawMunicipalities)) throw new Error(`divisions.json: ${code} municipios`);
  const municipalities = rawMunicipalities.map((raw: unknown, index) =>
    buildMunicipality(raw, code, `${code}-${twoDigits(index + 1)}`),
  );
  const capital = field(entry, 'capital');
  const formerName = field(entry, 'nombre_anterior');
  return Object.freeze({
    code,
    name: stringField(entry, 'estado'),
    capital: typeof capital === 'string' ? capital : null,
    formerName: typeof formerName === 'string' ? formerName : null,
    municipalities: Object.freeze(municipalities),
  });
}

function buildMunicipality(raw: unknown, stateCode: string, code: string): Municipality {
  const rawParishes = field(raw, 'parroquias');
  if (!Array.isArray(rawParishes)) throw new Error(`divisions.json: ${code} parroquias`);
  const parishes = rawParishes.map((name: unknown, index) => {
    if (typeof name !== 'string') throw new Error(`divisions.json: ${code} parish name`);
    return Object.freeze({
      code: `${code}-${twoDigits(index + 1)}`,
      name,
      municipalityCode: code,
      stateCode,
    });
  });
  return Object.freeze({
    code,
    name: stringField(raw, 'municipio'),
    capital: stringField(raw, 'capital'),
    stateCode,
    parishes: Object.freeze(parishes),
  });
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`divisions.json: expected an object holding ${key}`);
  }
  return Reflect.get(value, key);
}

function stringField(value: unknown, key: string): string {
  const found = field(value, key);
  if (typeof found !== 'string') throw new Error(`divisions.json: ${key} is not a string`);
  return found;
}

function addUnique<T>(map: Map<string, T>, code: string, value: T): void {
  // A duplicate code would silently send addresses to the wrong place, so refuse to load.
  if (map.has(code)) throw new Error(`divisions.json: duplicate code ${code}`);
  map.set(code, value);
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
