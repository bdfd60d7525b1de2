/**
 * String similarity measures used by the comparisons. Both work on UTF-16 code units,
 * which is exact for the normalised (accent-free, ñ-only) strings they receive.
 */

/**
 * Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, common prefix up to 4). With a
 * `floor`, pairs that cannot reach it (by lengths or by shared letters) return 0 without
 * the quadratic matching: most compared pairs are far apart, and that is where time goes.
 *
 * @example
 * jaroWinkler('martha', 'marhta') // ≈ 0.961
 * jaroWinkler('martha', 'kookaburra village', 0.88) // 0, rejected early
 */
export function jaroWinkler(left: string, right: string, floor = 0): number {
  if (left === right) return 1;
  if (floor > 0 && jaroWinklerBound(left, right) < floor) return 0;
  const jaro = jaroSimilarity(left, right);
  if (jaro === 0) return 0;
  let prefix = 0;
  const prefixMax = Math.min(4, left.length, right.length);
  while (prefix < prefixMax && left.charCodeAt(prefix) === right.charCodeAt(prefix)) prefix += 1;
  return jaro + prefix * 0.1 * (1 - jaro);
}

const letterCounts = new Int32Array(65536);

/** An upper bound of Jaro–Winkler: matches cannot exceed the letters the strings share. */
function jaroWinklerBound(left: string, right: string): number {
  for (let i = 0; i < left.length; i += 1) {
    const code = left.charCodeAt(i);
    letterCounts[code] = (letterCounts[code] ?? 0) + 1;
  }
  let common = 0;
  for (let i = 0; i < right.length; i += 1) {
    const code = right.charCodeAt(i);
    const available = letterCounts[code] ?? 0;
    if (available > 0) {
      letterCounts[code] = available - 1;
      common += 1;
    }
  }
  for (let i = 0; i < left.length; i += 1) letterCounts[left.charCodeAt(i)] = 0;
  if (common === 0) return 0;
  const jaroMax = (common / left.length + common / right.length + 1) / 3;
  return jaroMax + 0.4 * (1 - jaroMax);
}

// Scratch buffers reused between calls: comparisons run millions of times in a batch.
let leftMatched = new Uint8Array(64);
let rightMatched = new Uint8Array(64);

function jaroSimilarity(left: string, right: string): number {
  const leftLength = left.length;
  const rightLength = right.length;
  if (leftLength === 0 || rightLength === 0) return 0;
  if (leftMatched.length < leftLength) leftMatched = new Uint8Array(leftLength * 2);
  if (rightMatched.length < rightLength) rightMatched = new Uint8Array(rightLength * 2);
  leftMatched.fill(0, 0, leftLength);
  rightMatched.fill(0, 0, rightLength);
  const window = Math.max(0, Math.floor(Math.max(leftLength, rightLength) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < leftLength; i += 1) {
    const from = Math.max(0, i - window);
    const to = Math.min(rightLength - 1, i + window);
    for (let j = from; j <= to; j += 1) {
      if (rightMatched[j] === 1 || left.charCodeAt(i) !== right.charCodeAt(j)) continue;
      leftMatched[i] = 1;
      rightMatched[j] = 1;
      matches += 1;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < leftLength; i += 1) {
    if (leftMatched[i] !== 1) continue;
    while (rightMatched[k] !== 1) k += 1;
    if (left.charCodeAt(i) !== right.charCodeAt(k)) transpositions += 1;
    k += 1;
  }
  const half = transpositions / 2;
  return (matches / leftLength + matches / rightLength + (matches - half) / matches) / 3;
}

let previousRow = new Int32Array(64);
let currentRow = new Int32Array(64);

/**
 * Levenshtein edit distance (insert, delete, substitute), stopping early once the
 * distance must exceed `distanceMax` (then returns distanceMax + 1).
 *
 * @example
 * levenshtein('kitten', 'sitting') // 3
 * levenshtein('kitten', 'sitting', 1) // 2, meaning "more than 1"
 */
export function levenshtein(left: string, right: string, distanceMax = Infinity): number {
  if (left === right) return 0;
  if (Math.abs(left.length - right.length) > distanceMax) return distanceMax + 1;
  if (left.length === 0) return right.length;
  if (right.length === 0) return left.length;
  const width = right.length + 1;
  if (previousRow.length < width) {
    previousRow = new Int32Array(width * 2);
    currentRow = new Int32Array(width * 2);
  }
  for (let j = 0; j < width; j += 1) previousRow[j] = j;
  for (let i = 1; i <= left.length; i += 1) {
    currentRow[0] = i;
    let rowMin = i;
    const code = left.charCodeAt(i - 1);
    for (let j = 1; j < width; j += 1) {
      const substitution = (previousRow[j - 1] ?? 0) + (code === right.charCodeAt(j - 1) ? 0 : 1);
      const deletion = (previousRow[j] ?? 0) + 1;
      const insertion = (currentRow[j - 1] ?? 0) + 1;
      const cell = Math.min(substitution, deletion, insertion);
      currentRow[j] = cell;
      if (cell < rowMin) rowMin = cell;
    }
    if (rowMin > distanceMax) return distanceMax + 1;
    const swap = previousRow;
    previousRow = currentRow;
    currentRow = swap;
  }
  return Math.min(previousRow[right.length] ?? 0, distanceMax + 1);
}

/**
 * True when the strings have equal length and differ by one swap of adjacent characters
 * ("1984" / "1948"): a common keying error that Levenshtein counts as two edits.
 *
 * @example
 * isAdjacentTransposition('19840512', '19480512') // true
 */
export function isAdjacentTransposition(left: string, right: string): boolean {
  if (left.length !== right.length || left === right) return false;
  let first = -1;
  for (let i = 0; i < left.length; i += 1) {
    if (left[i] === right[i]) continue;
    if (first !== -1)
      return (
        i === first + 1 &&
        left[first] === right[i] &&
        left[i] === right[first] &&
        left.slice(i + 1) === right.slice(i + 1)
      );
    first = i;
  }
  return false;
}
