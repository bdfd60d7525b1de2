import assert from 'node:assert/strict';
import type { Dimension } from '../disclosure/linked-table.js';
import { ageBands } from '../tables/dimensions.js';
import {
  countryRedeemedQuantity,
  cycleKey,
  placeLeaf,
  programCycleDimension,
  prunedTo,
  regionLevels,
  regionWithUnknown,
} from './cube-dimensions.js';
import { paymentTables } from './payment-tables.js';
import type { PublishedTable } from './published-table.js';
import { redemptionRateTable } from './rate-tables.js';
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

/** The day the people table counts ages at: the refresh's date (UTC). */
export function referenceDateOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function peopleTable(): PublishedTable {
  return {
    code: 'people_by_age_sex_region',
    public: true,
    title: {
      es: 'Personas inscritas por grupo de edad, sexo y territorio',
      en: 'Enrolled persons by age group, sex and area',
    },
    definition: {
      es: 'Personas activas en el registro, por estado, municipio o parroquia de residencia, grupo de edad de cinco años a la fecha de actualización y sexo. Celdas de 1 a 9 y las necesarias para que no se deduzcan se ocultan; el resto se redondea a múltiplos de 5.',
      en: 'Active persons in the registry, by state, municipality or parish of residence, five-year age group at the refresh date and sex. Cells from 1 to 9, and those needed so they cannot be derived, are withheld; the rest are rounded to multiples of 5.',
    },
    levels: {
      ...regionLevels,
      age_band: { dimension: 'age_band', depth: 1 },
      sex: { dimension: 'sex', depth: 1 },
    },
    breakdowns: [{ region: 1, age_band: 1, sex: 1 }, { region: 2 }, { region: 3 }],
    async build(models, db, now) {
      const region = regionWithUnknown(3);
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
      const groups = await models.people(db, referenceDateOf(now));
      const leafCounts = groups.map((group) => {
        const placeLeafCode = placeLeaf(region, [
          group.stateCode,
          group.municipalityCode,
          group.parishCode,
        ]);
        const band =
          group.ageBandFrom === null
            ? 'unknown'
            : (ageBands[Math.min(19, Math.floor(group.ageBandFrom / 5))] ?? 'unknown');
        return {
          key: [
            placeLeafCode,
            band,
            group.sex === 'F' || group.sex === 'M' ? group.sex : 'unknown',
          ],
          count: group.persons,
        };
      });
      const placed = new Set(
        leafCounts.filter((leaf) => leaf.count > 0).map((leaf) => leaf.key[0] ?? ''),
      );
      return {
        dimensions: [prunedTo(region, placed), age, sex],
        leafCounts: leafCounts.filter((leaf) => leaf.count > 0),
      };
    },
  };
}

/**
 * The measures of coverage as a tree (issue #17, point 3): each node's children split it, so
 * a relation such as entitled ≤ eligible is an additivity row whose other part
 * (`not_entitled`) is a count, never negative. The protection and any attacker's linear
 * program then both hold redeemed without the card ≤ redeemed ≤ entitled ≤ eligible ≤
 * enrolled, and upheld ≤ filed. The two trees hang from a total (`all`) that adds persons to
 * appeals: it stays in the cube, hidden, and no breakdown shows it (`withoutTotal`).
 */
export const coverageMeasures: Dimension = {
  name: 'measure',
  nodes: [
    { code: 'all', parent: null },
    { code: 'enrolled', parent: 'all' },
    { code: 'eligible', parent: 'enrolled' },
    { code: 'not_eligible', parent: 'enrolled' },
    { code: 'entitled', parent: 'eligible' },
    { code: 'not_entitled', parent: 'eligible' },
    { code: 'redeemed', parent: 'entitled' },
    { code: 'not_redeemed', parent: 'entitled' },
    { code: 'redeemed_without_card', parent: 'redeemed' },
    { code: 'redeemed_with_card', parent: 'redeemed' },
    { code: 'appeals_filed', parent: 'all' },
    { code: 'appeals_upheld', parent: 'appeals_filed' },
    { code: 'appeals_not_upheld', parent: 'appeals_filed' },
  ],
};

/** The measures below a node of `coverageMeasures`, the node included. */
function measuresUnder(root: string): string[] {
  const under = [root];
  for (const node of coverageMeasures.nodes) {
    if (node.parent !== null && under.includes(node.parent)) under.push(node.code);
  }
  return under;
}

const coverageCode = 'coverage_by_program_cycle_area';

/** Coverage's redeemed measures as the redemption table's modes (the same persons). */
const redeemedModes: Readonly<Record<string, 'redeemed' | 'card' | 'without_card'>> = {
  redeemed: 'redeemed',
  redeemed_with_card: 'card',
  redeemed_without_card: 'without_card',
};

const coverageLevels = {
  'region.state': regionLevels['region.state'],
  'region.municipality': regionLevels['region.municipality'],
  program: { dimension: 'program_cycle', depth: 1 },
  'program.cycle': { dimension: 'program_cycle', depth: 2 },
} as const;

/**
 * Coverage (issue #17, point 2): enrolled, eligible, entitled, redeemed and redeemed without
 * the card, and appeals filed and upheld, by the state and municipality the persons lived in
 * (when the cycle's set was frozen; when the appeal was filed), program and cycle, as one cube
 * whose `measure` dimension carries the relations between them. The programs module counts
 * each measure among the previous one's persons (eligible among those the cycle's run
 * considered, entitled among the frozen set, redeemed among the entitled), so the relations
 * hold by construction; they are asserted before anything is protected. The appeals are a
 * second table shown from this cube (`appealsTable`): not open data, but protected with the
 * coverage they sit beside.
 */
function coverageTable(): PublishedTable {
  return {
    code: coverageCode,
    public: true,
    title: {
      es: 'Cobertura por programa, ciclo y territorio',
      en: 'Coverage by program, cycle and area',
    },
    definition: {
      es: 'Personas activas del registro que el cálculo del ciclo consideró en las regiones del programa (inscritas); de ellas, las del conjunto elegible congelado del ciclo (elegibles) y las demás; de las elegibles, las que tienen un derecho del ciclo (con derecho) y las que no; de las que tienen derecho, las que lo canjearon (canjeado) y las que no; de las que canjearon, las que lo hicieron sin carnet (asistido: número de cédula y una segunda comprobación) y con carnet. Por estado y municipio de residencia al congelar el conjunto, programa y ciclo (tendencia entre ciclos). En ciclos calculados antes de que se registrara, inscritas es igual a elegibles. Celdas de 1 a 9 y las necesarias para que no se deduzcan, también a partir de las relaciones entre medidas, se ocultan; el resto se redondea a múltiplos de 5.',
      en: "Active persons in the registry whom the cycle's computation considered in the program's regions (enrolled); of them, those in the cycle's frozen eligible set (eligible) and the rest; of the eligible, those holding an entitlement of the cycle (entitled) and the rest; of the entitled, those who redeemed it (redeemed) and the rest; of those who redeemed, those who did so without the card (assisted: ID number and a second check) and with it. By state and municipality of residence when the set was frozen, program and cycle (the trend across cycles). For cycles computed before it was recorded, enrolled equals eligible. Cells from 1 to 9, and those needed so they cannot be derived, also through the relations between the measures, are withheld; the rest are rounded to multiples of 5.",
    },
    levels: { ...coverageLevels, measure: { dimension: 'measure', depth: 5 } },
    breakdowns: [{ region: 2, program_cycle: 2, measure: 5 }],
    withoutTotal: ['measure'],
    only: { dimension: 'measure', codes: measuresUnder('enrolled') },
    quantityOf: ([region, programCycle = '', measure = '']) => {
      const mode = redeemedModes[measure];
      return region === 'VE' && mode !== undefined
        ? countryRedeemedQuantity(programCycle, mode)
        : null;
    },
    async build(models, db) {
      const groups = await models.coverage(db);
      const region = regionWithUnknown(2);
      const leafCounts = groups.flatMap((group) => {
        const { enrolled, eligible, entitled, redeemed, redeemedWithoutCard } = group;
        assert.ok(
          redeemedWithoutCard <= redeemed &&
            redeemed <= entitled &&
            entitled <= eligible &&
            eligible <= enrolled,
          'coverage measures are nested',
        );
        assert.ok(group.appealsUpheld <= group.appealsFiled, 'an upheld appeal was filed');
        const place = placeLeaf(region, [group.stateCode, group.municipalityCode]);
        const key = (measure: string) => [place, cycleKey(group), measure];
        return [
          { key: key('not_eligible'), count: enrolled - eligible },
          { key: key('not_entitled'), count: eligible - entitled },
          { key: key('not_redeemed'), count: entitled - redeemed },
          { key: key('redeemed_with_card'), count: redeemed - redeemedWithoutCard },
          { key: key('redeemed_without_card'), count: redeemedWithoutCard },
          { key: key('appeals_upheld'), count: group.appealsUpheld },
          { key: key('appeals_not_upheld'), count: group.appealsFiled - group.appealsUpheld },
        ];
      });
      return {
        dimensions: [region, programCycleDimension(groups), coverageMeasures],
        leafCounts,
      };
    },
  };
}

/**
 * Appeals filed → upheld, not upheld (upheld ≤ filed, as an additivity row), by state ×
 * municipality × program → cycle: the appeal measures of the coverage cube, shown as a table of
 * their own because they are not open data. Protected and stored with coverage.
 */
function appealsTable(): PublishedTable {
  return {
    code: 'appeals_by_program_cycle_area',
    public: false,
    title: { es: 'Apelaciones presentadas y aceptadas', en: 'Appeals filed and upheld' },
    definition: {
      es: 'Apelaciones presentadas contra la exclusión de un ciclo (presentadas), las decididas a favor de la persona (aceptadas) y las demás, por estado y municipio de residencia de la persona al presentarla, programa y ciclo (tendencia entre ciclos). Las apelaciones presentadas antes de que se registrara el municipio cuentan como municipio no registrado. Se protegen junto con la cobertura: celdas de 1 a 9 y las necesarias para que no se deduzcan se ocultan; el resto se redondea a múltiplos de 5.',
      en: "Appeals filed against being left out of a cycle (filed), those decided in the person's favour (upheld) and the rest, by the person's state and municipality of residence when filing, program and cycle (the trend across cycles). Appeals filed before the municipality was recorded count under municipality not recorded. Protected together with coverage: cells from 1 to 9, and those needed so they cannot be derived, are withheld; the rest are rounded to multiples of 5.",
    },
    levels: { ...coverageLevels, measure: { dimension: 'measure', depth: 2 } },
    breakdowns: [{ region: 2, program_cycle: 2, measure: 2 }],
    storedIn: coverageCode,
    only: { dimension: 'measure', codes: measuresUnder('appeals_filed') },
    // Built, protected and stored as part of the coverage cube.
    build: async () => null,
  };
}

export const publishedTables: readonly PublishedTable[] = [
  peopleTable(),
  coverageTable(),
  appealsTable(),
  ...redemptionTables,
  redemptionRateTable(),
  stockTable(),
  ...paymentTables,
];
