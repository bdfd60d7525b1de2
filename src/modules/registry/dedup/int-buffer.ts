/**
 * A growable Int32Array: candidate pairs of a million-record run are tens of millions of
 * integers, which plain arrays hold at twice the memory and with boxing.
 *
 * @example
 * const buffer = new IntBuffer();
 * buffer.push(7);
 * buffer.toArray() // Int32Array [7]
 */
export class IntBuffer {
  private data: Int32Array;
  private length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  get size(): number {
    return this.length;
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = value;
    this.length += 1;
  }

  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * A growable Float64Array, for numeric block keys (below 2^53, so exact in a double).
 *
 * @example
 * const buffer = new FloatBuffer();
 * buffer.push(2 ** 50);
 * buffer.toArray() // Float64Array [1125899906842624]
 */
export class FloatBuffer {
  private data: Float64Array;
  private length = 0;

  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(16, capacity));
  }

  get size(): number {
    return this.length;
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = value;
    this.length += 1;
  }

  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
