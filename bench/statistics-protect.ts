import os from 'node:os';
import {
  ageBandDimension,
  ageBands,
  linkedTable,
  protectTable,
  type RegionLevel,
  regionDimension,
  sexDimension,
} from '../src/modules/statistics/index.js';

/**
 * Disclosure control of the widest published cube (issue #17): region down to the parish
 * (VE → 25 states → 335 municipalities → 1,100+ parishes) × 5-year age band × sex, with
 * every margin, for synthetic populations of each size. Persons are spread over parishes
 * with a skew (a few large parishes, many small ones) so small populations give thousands
 * of primary cells. Reports the time to protect, the primary and complementary counts, and
 * how many protection certificates the hypercube search found against the linear-program
 * fallback. Every certificate is re-checked inside `protectTable` before it answers.
 *
 *   npm run bench -- statistics-protect [state|municipality|parish] [persons…]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const [first, ...rest] = args;
  const level: RegionLevel =
    first === 'state' || first === 'municipality' || first === 'parish' ? first : 'parish';
  const sizeArgs = first === level ? rest : args;
  const sizes = (sizeArgs.length > 0 ? sizeArgs : ['2000', '20000', '200000']).map(Number);
  const region = regionDimension(level);
  const leaves = region.nodes
    .filter((node) => !region.nodes.some((other) => other.parent === node.code))
    .map((node) => node.code);
  const runs: Record<string, unknown>[] = [];
  for (const persons of sizes) {
    const random = mulberry32(persons);
    const counts = new Map<string, number>();
    for (let i = 0; i < persons; i++) {
      // Squaring a uniform draw piles persons into the first parishes: a skewed country.
      const leaf = leaves[Math.floor(random() ** 2 * leaves.length)] ?? 'VE-W';
      const band = ageBands[Math.min(19, Math.floor(random() * random() * 24))] ?? '95+';
      const key = `${leaf}|${band}|${random() < 0.5 ? 'F' : 'M'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const started = performance.now();
    const table = linkedTable(
      [region, ageBandDimension, sexDimension],
      [...counts].map(([key, count]) => ({ key: key.split('|'), count })),
    );
    const built = performance.now();
    const published = await protectTable(table, {
      threshold: 10,
      protectionLevel: 10,
      roundingBase: 5,
    });
    const finished = performance.now();
    const result = {
      level,
      persons,
      loadAverage1m: os.loadavg()[0],
      cells: table.values.length,
      buildMs: Math.round(built - started),
      protectMs: Math.round(finished - built),
      ...published.statistics,
    };
    process.stderr.write(`${JSON.stringify(result)}\n`);
    runs.push(result);
  }
  return { runs };
}

/** A small seeded generator, so a run can be repeated exactly. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
