import type { Dimension } from '../disclosure/linked-table.js';
import { ageBands } from '../tables/dimensions.js';
import {
  cycleKey,
  leafOf,
  programCycleDimension,
  regionLevels,
  regionWithUnknown,
} from './cube-dimensions.js';
import { paymentTables } from './payment-tables.js';
import type { PublishedTable, Text } from './published-table.js';
import { redemptionTables } from './redemption-tables.js';
import { stockTable } from './stock-tables.js';

/**
 * The fixed published tables (issue #17, point 2): what each counts, in Spanish and English,
 * whether it is open data, the breakdowns it may be read at, and how its cube is built from
 * the read models. Every table is one cube with all its margins; its breakdowns are views of
 * that cube, protected together, so no two of them can be combined to find a withheld cell.
 *
 * @example
 *   publishedTables.find((t) => t.code === 'people_by_age_sex_region')?.public; // true
 */
export type { Breakdown, Cube, PublishedTable, Text } from './published-table.js';

function peopleTable(): PublishedTable {
  return {
    code: 'people_by_age_sex_region',
    public: true,
    title: {
      es: 'Personas inscritas por grupo de edad, sexo y territorio',
      en: 'Enrolled persons by age group, sex and area',
    },
    definition: {
      es: 'Personas activas en el registro, por estado o municipio de residencia, grupo de edad de cinco años a la fecha de actualización y sexo. Celdas de 1 a 9 y las necesarias para que no se deduzcan se ocultan; el resto se redondea a múltiplos de 5.',
      en: 'Active persons in the registry, by state or municipality of residence, five-year age group at the refresh date and sex. Cells from 1 to 9, and those needed so they cannot be derived, are withheld; the rest are rounded to multiples of 5.',
    },
    levels: {
      ...regionLevels,
      age_band: { dimension: 'age_band', depth: 1 },
      sex: { dimension: 'sex', depth: 1 },
    },
    breakdowns: [{ region: 1, age_band: 1, sex: 1 }, { region: 2 }],
    async build(models, db, now) {
      const region = regionWithUnknown(2);
      const age: Dimension = {
        name: 'age_band',
        nodes: [
          { code: 'all', parent: null },
          ...[...ageBands, 'unknown'].map((code) => ({ code, parent: 'all' })),
        ],
      };
      const sex: Dimension = {
        name: 'sex',
        nodes: ['all', 'F', 'M', 'unknown'].map((code) => ({
          code,
          parent: code === 'all' ? null : 'all',
        })),
      };
      const groups = await models.people(db, now.toISOString().slice(0, 10));
      const parentOf = new Map(region.nodes.map((node) => [node.code, node.parent]));
      const isLeaf = (code: string) => !region.nodes.some((node) => node.parent === code);
      const leafCounts = groups.map((group) => {
        const municipality = group.municipalityCode ?? '';
        const placeLeaf =
          parentOf.get(group.stateCode) !== 'VE'
            ? 'VE-unknown'
            : isLeaf(group.stateCode)
              ? group.stateCode
              : parentOf.get(municipality) === group.stateCode
                ? municipality
                : `${group.stateCode}-unknown`;
        const band =
          group.ageBandFrom === null
            ? 'unknown'
            : (ageBands[Math.min(19, Math.floor(group.ageBandFrom / 5))] ?? 'unknown');
        return {
          key: [placeLeaf, band, group.sex === 'F' || group.sex === 'M' ? group.sex : 'unknown'],
          count: group.persons,
        };
      });
      return { dimensions: [region, age, sex], leafCounts };
    },
  };
}

function coverageTable(
  code: string,
  measure: 'eligible' | 'entitled' | 'appealsFiled' | 'appealsUpheld',
  isPublic: boolean,
  title: Text,
  definition: Text,
): PublishedTable {
  return {
    code,
    public: isPublic,
    title,
    definition,
    levels: {
      'region.state': regionLevels['region.state'],
      program: { dimension: 'program_cycle', depth: 1 },
      'program.cycle': { dimension: 'program_cycle', depth: 2 },
    },
    breakdowns: [{ region: 1, program_cycle: 2 }],
    async build(models, db) {
      const groups = await models.coverage(db);
      const region = regionWithUnknown(1);
      const programCycle = programCycleDimension(groups);
      const leafCounts = groups.map((group) => ({
        key: [leafOf(region, group.stateCode, 'VE-unknown'), cycleKey(group)],
        count: group[measure],
      }));
      return { dimensions: [region, programCycle], leafCounts };
    },
  };
}

export const byStateProgramCycle = {
  es: ' por estado, programa y ciclo (tendencia entre ciclos); mismas reglas de ocultación y redondeo a 5.',
  en: ' by state, program and cycle (the trend across cycles); the same withholding and rounding to 5.',
};

export const publishedTables: readonly PublishedTable[] = [
  peopleTable(),
  coverageTable(
    'eligible_by_program_cycle_state',
    'eligible',
    true,
    { es: 'Personas elegibles por programa y ciclo', en: 'Eligible persons by program and cycle' },
    {
      es: `Personas en el conjunto elegible congelado del ciclo${byStateProgramCycle.es}`,
      en: `Persons in the cycle's frozen eligible set${byStateProgramCycle.en}`,
    },
  ),
  coverageTable(
    'entitled_by_program_cycle_state',
    'entitled',
    true,
    {
      es: 'Personas con derecho por programa y ciclo',
      en: 'Entitled persons by program and cycle',
    },
    {
      es: `Personas con un derecho del ciclo, por regla o por apelación aceptada${byStateProgramCycle.es}`,
      en: `Persons holding an entitlement of the cycle, by rule or by an upheld appeal${byStateProgramCycle.en}`,
    },
  ),
  coverageTable(
    'appeals_filed_by_program_cycle_state',
    'appealsFiled',
    false,
    { es: 'Apelaciones presentadas', en: 'Appeals filed' },
    {
      es: `Apelaciones presentadas contra la exclusión de un ciclo${byStateProgramCycle.es}`,
      en: `Appeals filed against being left out of a cycle${byStateProgramCycle.en}`,
    },
  ),
  coverageTable(
    'appeals_upheld_by_program_cycle_state',
    'appealsUpheld',
    false,
    { es: 'Apelaciones aceptadas', en: 'Appeals upheld' },
    {
      es: `Apelaciones decididas a favor de la persona${byStateProgramCycle.es}`,
      en: `Appeals decided in the person's favour${byStateProgramCycle.en}`,
    },
  ),
  ...redemptionTables,
  stockTable(),
  ...paymentTables,
];
