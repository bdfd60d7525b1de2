/**
 * A small seeded pseudo-random generator (mulberry32): the u sample must be reproducible so
 * that two runs over the same registry give the same model. Not for anything secret.
 *
 * @example
 * const next = seededRandom(42);
 * next() // a number in [0, 1), the same on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
