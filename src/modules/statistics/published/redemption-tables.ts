import type { CoverageGroup, RedemptionGroup } from '../read-models.js';
import { flatDimension, nestedDimension } from '../tables/dimensions.js';
import {
  countryRedeemedQuantity,
  cycleKey,
  leafOf,
  programCycleDimension,
  regionWithUnknown,
} from './cube-dimensions.js';
import type { Cube, PublishedTable } from './published-table.js';

/**
 * The distribution tables (issue #17, point 2): entitlements redeemed, redeemed without the
 * card (assisted, safeguard 9) and the time to redeem, by the state of the point, program and
 * cycle. Built from the distribution module's redemptions by day and the programs module's
 * cycles (for each cycle's program and reference date). Counts, protected like every table.
 * These are by the point's state; the redemption rate is by the member's state, from the
 * coverage cube alone (`rate-tables.ts`), so that its two figures share one geography.
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

/**
 * One cube: the point's state × program → cycle × days to the first redemption × how it was
 * redeemed (redeemed → with the card, without it). Redeemed, redeemed without the card and
 * the time to redeem are its views, protected together, so the relations between them
 * (without the card ≤ redeemed; the day bands add up to the redeemed) are known to the
 * protection, as they are to anyone who reads the tables.
 */
function redeemedTable(): PublishedTable {
  return {
    code: 'redeemed_by_program_cycle_state',
    public: true,
    title: {
      es: 'Derechos canjeados, sin carnet y tiempo hasta el canje',
      en: 'Entitlements redeemed, without the card, and time to redeem',
    },
    definition: {
      es: 'Derechos del ciclo canjeados al menos una vez, por estado del punto del primer canje, programa y ciclo (tendencia entre ciclos), con o sin carnet (sin carnet: canje asistido con número de cédula y una segunda comprobación); y por días entre la fecha de referencia del ciclo y el primer canje, por estado y programa o por ciclo para todo el país. La tasa de canje es esta tabla entre las personas con derecho de la tabla de cobertura. Mismas reglas de ocultación y redondeo a 5.',
      en: "Entitlements of the cycle redeemed at least once, by the state of the first redemption's point, program and cycle (the trend across cycles), with or without the card (without: assisted, ID number and a second check); and by the days from the cycle's reference date to the first redemption, by state and program or by cycle for the whole country. The redemption rate is this table over the entitled persons of the coverage table. The same withholding and rounding to 5.",
    },
    levels: {
      ...levels,
      mode: { dimension: 'mode', depth: 1 },
      time_to_redeem: { dimension: 'time_to_redeem', depth: 1 },
    },
    breakdowns: [
      { region: 1, program_cycle: 2, mode: 1 },
      { region: 1, program_cycle: 1, time_to_redeem: 1 },
      { program_cycle: 2, time_to_redeem: 1 },
    ],
    // At the country's total these cells are coverage's redeemed: one draw for both.
    quantityOf: ([region, programCycle = '', mode, time]) =>
      region === 'VE' &&
      time === 'all' &&
      (mode === 'redeemed' || mode === 'card' || mode === 'without_card')
        ? countryRedeemedQuantity(programCycle, mode)
        : null,
    async build(models, db): Promise<Cube | null> {
      if (models.redemptions === undefined) return null;
      const coverage = await models.coverage(db);
      const region = regionWithUnknown(1);
      const leafCounts = withCycles(await models.redemptions(db), coverage).map(
        ({ group, cycle }) => ({
          key: [
            leafOf(region, group.stateCode, 'VE-unknown'),
            cycleKey(cycle),
            group.mode === 'assisted' ? 'without_card' : 'card',
            dayBandOf(cycle.referenceDate, group.day),
          ],
          count: group.entitlements,
        }),
      );
      return {
        dimensions: [
          region,
          programCycleDimension(coverage),
          nestedDimension('mode', 'redeemed', ['card', 'without_card']),
          flatDimension('time_to_redeem', redemptionDayBands),
        ],
        leafCounts,
      };
    },
  };
}

export const redemptionTables: readonly PublishedTable[] = [redeemedTable()];
