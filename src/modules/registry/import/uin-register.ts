import { generateUin } from '../uin/index.js';
import { RandomPool } from './random-pool.js';

/**
 * The UINs this process has handed out during an import. Workers draw UINs independently, so
 * two of them can draw the same number (about 700 times in 10^6 persons, with some 7 × 10^8
 * valid numbers); the main thread claims each batch's UINs here and redraws a repeat before
 * the batch is written, so the file's own collisions never reach the database (whose unique
 * index, with `on conflict`, still guards against the registry's numbers).
 *
 * @example
 *   const register = new UinRegister();
 *   register.claim(batch.uin); // repeats replaced in place
 */
export class UinRegister {
  readonly #drawn = new Set<string>();
  readonly #random = new RandomPool();

  /** Records the UINs, replacing in place any that was handed out before. */
  claim(uins: string[]): void {
    for (let index = 0; index < uins.length; index += 1) {
      const uin = uins[index] ?? '';
      if (this.#drawn.has(uin)) uins[index] = this.draw();
      else this.#drawn.add(uin);
    }
  }

  /** A UIN no earlier row of this process received (the generator's rules, uniform digits). */
  draw(): string {
    for (;;) {
      const uin = generateUin(this.#random.int);
      if (!this.#drawn.has(uin)) {
        this.#drawn.add(uin);
        return uin;
      }
    }
  }
}
