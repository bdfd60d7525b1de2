import { createHmac, randomBytes } from 'node:crypto';

/**
 * An exact sampler of the discrete Gaussian distribution over the integers (Canonne, Kamath
 * and Steinke, "The Discrete Gaussian for Differential Privacy", 2020, algorithms 1–3): every
 * step is a Bernoulli trial with a rational probability decided on integers, so there is no
 * floating-point rounding an attacker could exploit (Mironov's attack on the floating-point
 * Laplace). No npm package does this; issue #17 asks for it to be written and tested.
 *
 * `P(Z = z) ∝ exp(−z² / 2σ²)` for every integer z, σ² a positive integer.
 *
 * The randomness comes from a `RandomSource`: `keyedSource` (HMAC-SHA-256 in counter mode
 * under a secret key and a label, so the same label always draws the same value: published
 * cells keep their noise from one refresh to the next) or `secureSource` (the operating
 * system's CSPRNG).
 *
 * @example
 *   discreteGaussian(25n, keyedSource(key, 'people|VE-A|all|F|1234')); // e.g. -3n
 */
export interface RandomSource {
  /** A uniform integer in [0, n), n ≥ 1. */
  below(n: bigint): bigint;
  /** The same draw for a safe integer n (≤ 2⁴⁸), as a number: no bigint on the hot path. */
  belowNumber(n: number): number;
}

/** Above this, `belowNumber` reads through bigints (6 bytes of a stream are exact in a double). */
const numberBelowMax = 2 ** 48;

function sourceFrom(nextBytes: (count: number) => Uint8Array): RandomSource {
  const below = (n: bigint): bigint => {
    if (n < 1n) throw new RangeError('below(n) needs n ≥ 1');
    const bits = n.toString(2).length;
    const bytes = Math.ceil(bits / 8);
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      const value = BigInt(`0x${Buffer.from(nextBytes(bytes)).toString('hex')}`) & mask;
      if (value < n) return value; // rejection: exactly uniform
    }
  };
  return {
    below,
    belowNumber(n) {
      if (!(n >= 1) || !Number.isSafeInteger(n)) throw new RangeError('below(n) needs n ≥ 1');
      if (n > numberBelowMax) return Number(below(BigInt(n)));
      // The same bytes as `below`: the bit length of n, whole bytes big-endian, the top bits
      // masked off (a remainder by 2^bits), rejected until below n.
      let bits = 0;
      while (2 ** bits <= n) bits++;
      const bytes = Math.ceil(bits / 8);
      const modulus = 2 ** bits;
      for (;;) {
        const drawn = nextBytes(bytes);
        let value = 0;
        for (let i = 0; i < bytes; i++) value = value * 256 + (drawn[i] ?? 0);
        value %= modulus;
        if (value < n) return value;
      }
    },
  };
}

/** A deterministic stream: HMAC-SHA-256(key, label ‖ 0 ‖ i) for i = 0, 1, 2, … */
export function keyedSource(key: Uint8Array, label: string): RandomSource {
  let block: Buffer = Buffer.alloc(0);
  let at = 0;
  let counter = 0;
  const out = new Uint8Array(8);
  return sourceFrom((count) => {
    // At most 7 bytes are asked at a time (`belowNumber`); `below` may ask more.
    const target = count <= out.length ? out.subarray(0, count) : new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      if (at === block.length) {
        block = createHmac('sha256', key)
          .update(label)
          .update('\u0000')
          .update(String(counter++))
          .digest();
        at = 0;
      }
      target[i] = block[at++] ?? 0;
    }
    return target;
  });
}

/** The operating system's CSPRNG (drawn 4 KiB at a time). */
export function secureSource(): RandomSource {
  let pool = Buffer.alloc(0);
  return sourceFrom((count) => {
    if (pool.length < count) pool = randomBytes(Math.max(4096, count));
    const out = pool.subarray(0, count);
    pool = pool.subarray(count);
    return out;
  });
}

/**
 * The integers of the algorithms below stay far under 2⁵³ (σ² is a small integer; the largest
 * is (|y|·t − σ²)², with |y| a Laplace draw), so they are computed exactly as doubles; the
 * exported forms take bigints and check that bound.
 */
function safe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} is too large`);
  return Number(value);
}

function bernoulli(source: RandomSource, numerator: number, denominator: number): boolean {
  return source.belowNumber(denominator) < numerator;
}

/** Bernoulli(exp(−γ)) for a rational γ = numerator / denominator ≥ 0 (CKS algorithm 1). */
export function bernoulliExp(
  source: RandomSource,
  numerator: bigint,
  denominator: bigint,
): boolean {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('γ is a non-negative rational');
  return bernoulliExpOf(source, safe(numerator, 'γ'), safe(denominator, 'γ'));
}

function bernoulliExpOf(source: RandomSource, numerator: number, denominator: number): boolean {
  if (numerator <= denominator) {
    let k = 1;
    while (bernoulli(source, numerator, denominator * k)) k++;
    return k % 2 === 1;
  }
  const whole = Math.floor(numerator / denominator);
  for (let i = 0; i < whole; i++) {
    if (!bernoulliExpOf(source, 1, 1)) return false;
  }
  return bernoulliExpOf(source, numerator - whole * denominator, denominator);
}

/** The discrete Laplace distribution, P(Y = y) ∝ exp(−|y| / t), t ≥ 1 (CKS algorithm 2). */
export function discreteLaplace(source: RandomSource, t: bigint): bigint {
  return BigInt(discreteLaplaceOf(source, safe(t, 't')));
}

function discreteLaplaceOf(source: RandomSource, t: number): number {
  for (;;) {
    const u = source.belowNumber(t);
    if (!bernoulliExpOf(source, u, t)) continue;
    let v = 0;
    while (bernoulliExpOf(source, 1, 1)) v++;
    const x = u + t * v;
    const negative = bernoulli(source, 1, 2);
    if (negative && x === 0) continue;
    return negative ? -x : x;
  }
}

function integerSquareRoot(n: number): number {
  if (n < 2) return n;
  let x = Math.floor(Math.sqrt(n));
  while (x * x > n) x--;
  while ((x + 1) * (x + 1) <= n) x++;
  return x;
}

/** Variances above this would take the algorithm's products past 2⁵³. */
const varianceMax = 2 ** 20;

/** The discrete Gaussian with variance parameter σ² (a positive integer) (CKS algorithm 3). */
export function discreteGaussian(variance: bigint, source: RandomSource): bigint {
  if (variance < 1n) throw new RangeError('σ² is a positive integer');
  if (variance > BigInt(varianceMax)) throw new RangeError(`σ² is at most ${varianceMax}`);
  return BigInt(discreteGaussianOf(Number(variance), source));
}

/** `discreteGaussian` on numbers: the same draws from the same source. */
export function discreteGaussianOf(variance: number, source: RandomSource): number {
  if (!Number.isSafeInteger(variance) || variance < 1 || variance > varianceMax) {
    throw new RangeError(`σ² is a positive integer up to ${varianceMax}`);
  }
  const t = integerSquareRoot(variance) + 1;
  for (;;) {
    const y = discreteLaplaceOf(source, t);
    const gap = Math.abs(y) * t - variance; // (|y| − σ²/t)·t
    if (!Number.isSafeInteger(gap * gap)) throw new RangeError('a Laplace draw out of range');
    if (bernoulliExpOf(source, gap * gap, 2 * variance * t * t)) return y;
  }
}

/** The exact probability mass of the discrete Gaussian at z (normalised over |z| ≤ 60σ + 60). */
export function discreteGaussianMass(variance: number, z: number): number {
  const reach = Math.ceil(60 * Math.sqrt(variance)) + 60;
  let norm = 0;
  for (let k = -reach; k <= reach; k++) norm += Math.exp((-k * k) / (2 * variance));
  return Math.exp((-z * z) / (2 * variance)) / norm;
}
