import raw from '../../../src/shared/geography/divisions.json';

/**
 * Venezuela's states, municipalities and parishes for pickers and for showing names instead
 * of codes. The data is the server's own file (CC BY 4.0, see
 * src/shared/geography/DIVISIONS-LICENSE.md); codes are derived from file position exactly
 * as `src/modules/geography/divisions.ts` derives them (`VE-Z-03`, `VE-Z-03-01`), which the
 * console tests compare.
 *
 * @example
 *   divisionName('VE-A'); // 'Distrito Capital'
 *   municipalitiesOf('VE-A')[0]?.code; // 'VE-A-01'
 */
export interface Division {
  code: string;
  name: string;
}

interface RawState {
  iso_31662: string;
  estado: string;
  municipios: Array<{ municipio: string; parroquias: string[] }>;
}

const states: Division[] = [];
const municipalities = new Map<string, Division[]>();
const parishes = new Map<string, Division[]>();
const names = new Map<string, string>();

// The JSON module's inferred type is wide; the file's shape is checked by the server's tests.
for (const state of raw as RawState[]) {
  states.push({ code: state.iso_31662, name: state.estado });
  names.set(state.iso_31662, state.estado);
  const ofState: Division[] = [];
  state.municipios.forEach((municipality, index) => {
    const code = `${state.iso_31662}-${twoDigits(index + 1)}`;
    ofState.push({ code, name: municipality.municipio });
    names.set(code, municipality.municipio);
    const ofMunicipality = municipality.parroquias.map((name, parishIndex) => ({
      code: `${code}-${twoDigits(parishIndex + 1)}`,
      name,
    }));
    for (const parish of ofMunicipality) names.set(parish.code, parish.name);
    parishes.set(code, ofMunicipality);
  });
  municipalities.set(state.iso_31662, ofState);
}
states.sort((a, b) => a.name.localeCompare(b.name, 'es'));

export function listStates(): readonly Division[] {
  return states;
}

export function municipalitiesOf(stateCode: string): readonly Division[] {
  return municipalities.get(stateCode) ?? [];
}

export function parishesOf(municipalityCode: string): readonly Division[] {
  return parishes.get(municipalityCode) ?? [];
}

/** The name of a state, municipality or parish; the code itself when unknown. */
export function divisionName(code: string): string {
  return names.get(code) ?? code;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
