import { createHash } from 'node:crypto';

/**
 * A fast seeded pseudo-random generator (xoshiro128**, 32-bit arithmetic) for the demo
 * population. It is not for secrets: identifiers that must be unguessable use node:crypto.
 * The same seed always yields the same sequence on every platform and Node version, which
 * is what makes `demo generate` byte-for-byte reproducible.
 *
 * @example
 * const prng = new Prng('42');
 * prng.int(1, 6); // a die roll, the same one every run with seed '42'
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds the 128-bit state from SHA-256 of the seed, so similar seeds give unrelated streams. */
  constructor(seed: string) {
    const digest = createHash('sha256').update(`amparo-demo:${seed}`).digest();
    this.a = digest.readUInt32LE(0);
    this.b = digest.readUInt32LE(4);
    this.c = digest.readUInt32LE(8);
    this.d = digest.readUInt32LE(12);
    // xoshiro must not start from the all-zero state; SHA-256 makes that astronomically rare.
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.b, 5), 7), 9) >>> 0;
    const shifted = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= shifted;
    this.d = rotateLeft(this.d, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of precision, plenty for sampling. */
  float(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** A uniformly chosen element; the list must not be empty. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('Prng.pick: empty list');
    return item;
  }

  /** An approximately normal value (sum of three uniforms), cheap and bounded. */
  normal(mean: number, standardDeviation: number): number {
    const sum = this.float() + this.float() + this.float();
    // The sum of three U(0,1) has mean 1.5 and variance 1/4, hence the factor 2.
    return mean + (sum - 1.5) * 2 * standardDeviation;
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}
