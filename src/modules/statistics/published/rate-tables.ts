import type { PublishedTable, StoredCell } from './published-table.js';

/** The coverage cube the rate is computed from (`catalogue.ts`). */
export const rateSourceCode = 'coverage_by_program_cycle_area';

/** Places within a region: `VE` (depth 0) and the states (depth 1) of the coverage cube. */
const stateDepthMax = 1;

/**
 * One rate, in per cent with one decimal, from two published counts; null when either is
 * withheld; undefined (no cell) when nobody was entitled (there is no rate of nothing). Noise
 * can put a published redeemed above its published entitled: the rate is capped at 100.
 */
export function publishedRate(
  redeemed: number | null,
  entitled: number | null,
): number | null | undefined {
  if (redeemed === null || entitled === null) return null;
  if (entitled === 0) return undefined;
  return Math.min(100, Math.round((1000 * redeemed) / entitled) / 10);
}

/**
 * Redeemed ÷ entitled by program × cycle × the member's state (and the country), from the
 * coverage cube's stored, protected cells: both figures from the same cube in the same
 * geography (where the member lived when the cycle's set was frozen). Post-processing of
 * published values: it reads no other data and adds no disclosure. The redemption table by
 * the point's state is another geography and is not used.
 */
export function redemptionRates(cells: readonly StoredCell[]): StoredCell[] {
  const redeemed = new Map<string, number | null>();
  const entitled: StoredCell[] = [];
  for (const cell of cells) {
    if ((cell.depths[0] ?? 0) > stateDepthMax) continue;
    const measure = cell.key[2];
    if (measure === 'redeemed') redeemed.set(placeAndCycle(cell), cell.value);
    else if (measure === 'entitled') entitled.push(cell);
  }
  return entitled.flatMap((cell) => {
    const value = publishedRate(redeemed.get(placeAndCycle(cell)) ?? null, cell.value);
    if (value === undefined) return [];
    return [
      {
        views: [0],
        key: [cell.key[0] ?? '', cell.key[1] ?? ''],
        depths: [cell.depths[0] ?? 0, cell.depths[1] ?? 0],
        value,
      },
    ];
  });
}

function placeAndCycle(cell: StoredCell): string {
  return `${cell.key[0]}|${cell.key[1]}`;
}

/**
 * The redemption rate (issue #17: "redemption rate and time to redeem"), open data like the
 * coverage it is computed from. Built by no refresh of its own: read from coverage's stored
 * cells each time it is asked, so it always matches the published coverage.
 */
export function redemptionRateTable(): PublishedTable {
  return {
    code: 'redemption_rate_by_program_cycle_state',
    public: true,
    unit: 'percent',
    title: {
      es: 'Tasa de canje por programa, ciclo y estado',
      en: 'Redemption rate by program, cycle and state',
    },
    definition: {
      es: 'Porcentaje de las personas con derecho en el ciclo que lo canjearon, por estado de residencia al congelar el conjunto del ciclo (y el país), programa y ciclo. Se calcula a partir de las cifras publicadas de la tabla de cobertura (canjeado ÷ con derecho, ya redondeadas a múltiplos de 5 y con ruido), no de los datos de las personas: puede diferir en algunos puntos de la proporción exacta, y se limita a 100 %. Se oculta cuando cualquiera de las dos cifras está oculta; donde nadie tiene derecho no hay tasa.',
      en: "Percentage of the persons entitled in the cycle who redeemed, by state of residence when the cycle's set was frozen (and the country), program and cycle. Computed from the published figures of the coverage table (redeemed ÷ entitled, already rounded to multiples of 5 and noised), not from the persons' data: it can differ from the exact share by a few points, and is capped at 100 %. Withheld when either figure is withheld; where nobody is entitled there is no rate.",
    },
    levels: {
      'region.state': { dimension: 'region', depth: 1 },
      program: { dimension: 'program_cycle', depth: 1 },
      'program.cycle': { dimension: 'program_cycle', depth: 2 },
    },
    breakdowns: [{ region: 1, program_cycle: 2 }],
    storedIn: rateSourceCode,
    derive: redemptionRates,
    // Computed when read from coverage's stored cells; nothing of its own to build or store.
    build: async () => null,
  };
}
