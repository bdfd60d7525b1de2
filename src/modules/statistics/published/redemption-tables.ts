import type { CoverageGroup, RedemptionGroup } from '../read-models.js';
import { flatDimension } from '../tables/dimensions.js';
import { cycleKey, leafOf, programCycleDimension, regionWithUnknown } from './cube-dimensions.js';
import type { Cube, PublishedTable, Text } from './published-table.js';

/**
 * The distribution tables (issue #17, point 2): entitlements redeemed, redeemed without the
 * card (assisted, safeguard 9) and the time to redeem, by the state of the point, program and
 * cycle. Built from the distribution module's redemptions by day and the programs module's
 * cycles (for each cycle's program and reference date). Counts, protected like every table.
 * The redemption rate is the redeemed table over the entitled table, cell by cell, both
 * published.
 */
export const redemptionDayBands = ['0', '1-2', '3-6', '7-13', '14-29', '30+'] as const;

/** Whole days from the cycle's reference date to the first redemption, as a band. */
export function dayBandOf(referenceDate: string, day: string): string {
  const days = Math.floor((Date.parse(day) - Date.parse(referenceDate)) / 86_400_000);
  const uppers = [0, 2, 6, 13, 29];
  const index = uppers.findIndex((upper) => days <= upper);
  return redemptionDayBands[index === -1 ? redemptionDayBands.length - 1 : index] ?? '30+';
}

const levels = {
  'region.state': { dimension: 'region', depth: 1 },
  program: { dimension: 'program_cycle', depth: 1 },
  'program.cycle': { dimension: 'program_cycle', depth: 2 },
} as const;

/** The redemption groups with their cycle's coverage group, cycles unknown to programs left out. */
function withCycles(
  redemptions: readonly RedemptionGroup[],
  coverage: readonly CoverageGroup[],
): { group: RedemptionGroup; cycle: CoverageGroup }[] {
  const cycles = new Map(coverage.map((group) => [group.cycleId, group]));
  return redemptions.flatMap((group) => {
    const cycle = cycles.get(group.cycleId);
    return cycle === undefined ? [] : [{ group, cycle }];
  });
}

function redeemedTable(
  code: string,
  onlyAssisted: boolean,
  title: Text,
  definition: Text,
): PublishedTable {
  return {
    code,
    public: true,
    title,
    definition,
    levels,
    breakdowns: [{ region: 1, program_cycle: 2 }],
    async build(models, db): Promise<Cube | null> {
      if (models.redemptions === undefined) return null;
      const coverage = await models.coverage(db);
      const region = regionWithUnknown(1);
      const leafCounts = withCycles(await models.redemptions(db), coverage)
        .filter(({ group }) => !onlyAssisted || group.mode === 'assisted')
        .map(({ group, cycle }) => ({
          key: [leafOf(region, group.stateCode, 'VE-unknown'), cycleKey(cycle)],
          count: group.entitlements,
        }));
      return { dimensions: [region, programCycleDimension(coverage)], leafCounts };
    },
  };
}

function timeToRedeemTable(): PublishedTable {
  return {
    code: 'time_to_redeem_by_program_state',
    public: true,
    title: { es: 'Tiempo hasta el canje', en: 'Time to redeem' },
    definition: {
      es: 'Derechos canjeados por días entre la fecha de referencia del ciclo y el primer canje, por estado del punto y programa, o por ciclo para todo el país. Mismas reglas de ocultación y redondeo a 5.',
      en: "Entitlements redeemed by the days from the cycle's reference date to the first redemption, by the point's state and program, or by cycle for the whole country. The same withholding and rounding to 5.",
    },
    levels: { ...levels, time_to_redeem: { dimension: 'time_to_redeem', depth: 1 } },
    breakdowns: [
      { region: 1, program_cycle: 1, time_to_redeem: 1 },
      { program_cycle: 2, time_to_redeem: 1 },
    ],
    async build(models, db): Promise<Cube | null> {
      if (models.redemptions === undefined) return null;
      const coverage = await models.coverage(db);
      const region = regionWithUnknown(1);
      const leafCounts = withCycles(await models.redemptions(db), coverage).map(
        ({ group, cycle }) => ({
          key: [
            leafOf(region, group.stateCode, 'VE-unknown'),
            cycleKey(cycle),
            dayBandOf(cycle.referenceDate, group.day),
          ],
          count: group.entitlements,
        }),
      );
      return {
        dimensions: [
          region,
          programCycleDimension(coverage),
          flatDimension('time_to_redeem', redemptionDayBands),
        ],
        leafCounts,
      };
    },
  };
}

export const redemptionTables: readonly PublishedTable[] = [
  redeemedTable(
    'redeemed_by_program_cycle_state',
    false,
    { es: 'Derechos canjeados', en: 'Entitlements redeemed' },
    {
      es: 'Derechos del ciclo canjeados al menos una vez, por estado del punto del primer canje, programa y ciclo (tendencia entre ciclos). La tasa de canje es esta tabla entre la de personas con derecho. Mismas reglas de ocultación y redondeo a 5.',
      en: "Entitlements of the cycle redeemed at least once, by the state of the first redemption's point, program and cycle (the trend across cycles). The redemption rate is this table over the entitled table. The same withholding and rounding to 5.",
    },
  ),
  redeemedTable(
    'redeemed_without_card_by_program_cycle_state',
    true,
    { es: 'Canjes sin carnet', en: 'Redeemed without the card' },
    {
      es: 'Derechos cuyo primer canje fue asistido, sin carnet (número de cédula y una segunda comprobación), por estado del punto, programa y ciclo. Mismas reglas de ocultación y redondeo a 5.',
      en: 'Entitlements first redeemed with assistance, without the card (ID number and a second check), by the state of the point, program and cycle. The same withholding and rounding to 5.',
    },
  ),
  timeToRedeemTable(),
];
