import { findMunicipality, findParish, findState } from '../../geography/index.js';

/**
 * What the plain-language rule text (rule-words.ts) calls each eligibility fact and its coded
 * values, in Spanish and English. Every fact a rule may read has words here
 * (rule-explainer.test.ts checks it against `eligibilityFacts()`), so a citizen never reads a
 * fact's code name. Spanish subjects carry their article and are all singular ("el número de
 * miembros del hogar menores de 18 años", not "los menores de 18 años"), so every verb that
 * follows is singular too and agrees.
 *
 * @example
 *   factWords('sex')?.values?.('F')?.es; // 'femenino'
 */
export interface Words {
  readonly es: string;
  readonly en: string;
}

export interface FactWords {
  /** The fact as the subject of a sentence (Spanish: with its article, singular). */
  readonly label: Words;
  /** For a yes/no fact: the sentence that says it holds, and the one that says it does not. */
  readonly holds?: { readonly yes: Words; readonly no: Words };
  /** Words for one of the fact's coded values; undefined for a value without words. */
  readonly values?: (value: string) => Words | undefined;
}

function fromTable(table: Readonly<Record<string, Words>>): (value: string) => Words | undefined {
  return (value) => (Object.hasOwn(table, value) ? table[value] : undefined);
}

function same(name: string): Words {
  return { es: name, en: name };
}

const stateName = (code: string): Words | undefined => {
  const state = findState(code);
  return state === undefined ? undefined : same(state.name);
};

const municipalityName = (code: string): Words | undefined => {
  const municipality = findMunicipality(code);
  if (municipality === undefined) return undefined;
  const state = findState(municipality.stateCode)?.name ?? municipality.stateCode;
  return same(`${municipality.name} (${state})`);
};

const parishName = (code: string): Words | undefined => {
  const parish = findParish(code);
  if (parish === undefined) return undefined;
  const municipality = findMunicipality(parish.municipalityCode)?.name ?? parish.municipalityCode;
  const state = findState(parish.stateCode)?.name ?? parish.stateCode;
  return same(`${parish.name} (${municipality}, ${state})`);
};

const words: Readonly<Record<string, FactWords>> = {
  age: { label: { es: 'la edad', en: 'age' } },
  sex: {
    label: { es: 'el sexo', en: 'sex' },
    values: fromTable({ F: { es: 'femenino', en: 'female' }, M: { es: 'masculino', en: 'male' } }),
  },
  household_size: {
    label: { es: 'el número de miembros del hogar', en: 'the number of household members' },
  },
  members_under_5: {
    label: {
      es: 'el número de miembros del hogar menores de 5 años',
      en: 'the number of household members under 5',
    },
  },
  members_under_18: {
    label: {
      es: 'el número de miembros del hogar menores de 18 años',
      en: 'the number of household members under 18',
    },
  },
  members_over_65: {
    label: {
      es: 'el número de miembros del hogar de 65 años o más',
      en: 'the number of household members aged 65 or over',
    },
  },
  head_of_household: {
    label: { es: 'ser jefe o jefa de hogar', en: 'being head of household' },
    holds: {
      yes: { es: 'la persona es jefa o jefe de hogar', en: 'the person is head of household' },
      no: {
        es: 'la persona no es jefa ni jefe de hogar',
        en: 'the person is not head of household',
      },
    },
  },
  income_band: { label: { es: 'el tramo de ingresos del hogar', en: 'household income band' } },
  state_code: {
    label: { es: 'el estado de residencia', en: 'state of residence' },
    values: stateName,
  },
  municipality_code: {
    label: { es: 'el municipio de residencia', en: 'municipality of residence' },
    values: municipalityName,
  },
  parish_code: {
    label: { es: 'la parroquia de residencia', en: 'parish of residence' },
    values: parishName,
  },
  birth_state_code: {
    label: { es: 'el estado de nacimiento', en: 'state of birth' },
    values: stateName,
  },
  birth_date_approximate: {
    label: { es: 'tener una fecha de nacimiento aproximada', en: 'an approximate date of birth' },
    holds: {
      yes: { es: 'la fecha de nacimiento es aproximada', en: 'the date of birth is approximate' },
      no: {
        es: 'la fecha de nacimiento no es aproximada',
        en: 'the date of birth is not approximate',
      },
    },
  },
  civil_status: {
    label: { es: 'el estado civil', en: 'civil status' },
    values: fromTable({
      single: { es: 'soltero o soltera', en: 'single' },
      married: { es: 'casado o casada', en: 'married' },
      cohabiting: { es: 'unión estable de hecho', en: 'stable de facto union' },
      separated: { es: 'separado o separada', en: 'separated' },
      divorced: { es: 'divorciado o divorciada', en: 'divorced' },
      widowed: { es: 'viudo o viuda', en: 'widowed' },
    }),
  },
  nationality: {
    label: { es: 'la nacionalidad', en: 'nationality' },
    values: fromTable({ VE: { es: 'venezolana', en: 'Venezuelan' } }),
  },
  preferred_language: {
    label: { es: 'el idioma preferido', en: 'preferred language' },
    values: fromTable({
      es: { es: 'español', en: 'Spanish' },
      en: { es: 'inglés', en: 'English' },
      guc: { es: 'wayuunaiki', en: 'Wayuunaiki' },
    }),
  },
  disability_status: {
    label: { es: 'la discapacidad registrada', en: 'recorded disability' },
    values: fromTable({
      none: { es: 'ninguna', en: 'none' },
      physical: { es: 'física', en: 'physical' },
      visual: { es: 'visual', en: 'visual' },
      hearing: { es: 'auditiva', en: 'hearing' },
      intellectual: { es: 'intelectual', en: 'intellectual' },
      psychosocial: { es: 'psicosocial', en: 'psychosocial' },
      multiple: { es: 'múltiple', en: 'multiple' },
    }),
  },
  document_type: {
    label: { es: 'el tipo de documento', en: 'document type' },
    values: fromTable({
      cedula: { es: 'cédula de identidad', en: 'identity card (cédula)' },
      passport: { es: 'pasaporte', en: 'passport' },
      birth_certificate: { es: 'partida de nacimiento', en: 'birth certificate' },
      foreign_id: { es: 'documento de identidad extranjero', en: 'foreign identity document' },
      refugee_document: { es: 'documento de refugiado', en: 'refugee document' },
      other: { es: 'otro', en: 'other' },
    }),
  },
  document_country: {
    label: { es: 'el país emisor del documento', en: 'country that issued the document' },
    values: fromTable({ VE: { es: 'Venezuela', en: 'Venezuela' } }),
  },
};

/** The words for a fact, or undefined for a name without them (a test keeps that from happening). */
export function factWords(name: string): FactWords | undefined {
  return Object.hasOwn(words, name) ? words[name] : undefined;
}

/**
 * One fact as a person's record holds it, in plain words, for the "your record" part of an
 * explained clause: "la edad: 36" / "age: 36", "el sexo: femenino" / "sex: female", a yes/no
 * fact by its sentence ("la persona es jefa o jefe de hogar"). A fact the record lacks is said
 * as not on record; a fact or value without words (none today: the test checks every fact) is
 * said by its code rather than dropped.
 *
 * @example
 *   recordedFactWords('sex', 'F'); // { es: 'el sexo: femenino', en: 'sex: female' }
 */
export function recordedFactWords(name: string, value: string | boolean | null): Words {
  const fact = factWords(name);
  const label = fact?.label ?? same(name);
  if (value === null) return { es: `${label.es}: no consta`, en: `${label.en}: not on record` };
  if (typeof value === 'boolean') {
    if (fact?.holds !== undefined) return value ? fact.holds.yes : fact.holds.no;
    return {
      es: `${label.es}: ${value ? 'sí' : 'no'}`,
      en: `${label.en}: ${value ? 'yes' : 'no'}`,
    };
  }
  const said = fact?.values?.(value) ?? same(value);
  return { es: `${label.es}: ${said.es}`, en: `${label.en}: ${said.en}` };
}
