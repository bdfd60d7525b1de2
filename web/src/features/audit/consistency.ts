/**
 * Checks, in the browser, that a later signed tree head extends an earlier one: the RFC 9162
 * §2.1.4.2 consistency proof, with SHA-256 from WebCrypto. A log that dropped or rewrote an
 * entry between the two heads cannot produce a proof that passes.
 *
 * @example
 *   await consistencyHolds({ firstSize: 7, secondSize: 12, firstRoot, secondRoot, proof }); // true
 */
export interface ConsistencyInput {
  firstSize: number;
  secondSize: number;
  firstRoot: Uint8Array;
  secondRoot: Uint8Array;
  proof: readonly Uint8Array[];
}

export async function consistencyHolds(input: ConsistencyInput): Promise<boolean> {
  const { firstSize, secondSize, firstRoot, secondRoot } = input;
  if (!Number.isSafeInteger(firstSize) || !Number.isSafeInteger(secondSize)) return false;
  if (firstSize > secondSize || firstSize < 0) return false;
  if (firstSize === secondSize) return input.proof.length === 0 && equal(firstRoot, secondRoot);
  // The empty tree is a prefix of every tree.
  if (firstSize === 0) return input.proof.length === 0;
  if (input.proof.length === 0) return false;
  const path = isPowerOfTwo(firstSize) ? [firstRoot, ...input.proof] : [...input.proof];
  if (path.some((hash) => hash.length !== 32)) return false;
  // Plain arithmetic, not bit operators: sizes may exceed 2^32.
  let fn = firstSize - 1;
  let sn = secondSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const sibling of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await node(sibling, fr);
      sr = await node(sibling, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await node(sr, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

function isPowerOfTwo(value: number): boolean {
  let rest = value;
  while (rest > 1 && rest % 2 === 0) rest /= 2;
  return rest === 1;
}

async function node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const bytes = new Uint8Array(65);
  bytes[0] = 1;
  bytes.set(left, 1);
  bytes.set(right, 33);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
