import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * The text of one clause of a rule, as written. The parser's range of a node leaves out the
 * brackets around it and, for `(a && b) || (c && d)`, starts inside the first bracket and ends
 * inside the last: that slice is not CEL (`a && b) || (c && d`), and evaluating it failed, so
 * a clause like the demo pension's was explained as "unknown" for everyone. The range is
 * widened over the brackets it cuts (brackets inside text literals do not count).
 *
 * @example
 *   clauseSource(rule.source, rule.ast); // '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)'
 */
export function clauseSource(source: string, node: ASTNode): string {
  let { start, end } = node.range;
  for (;;) {
    const { open, close } = unmatched(source.slice(start, end));
    if (open === 0 && close === 0) break;
    const after = nextNonSpace(source, end, 1);
    const before = nextNonSpace(source, start - 1, -1);
    if (open > 0 && source[after] === ')') end = after + 1;
    else if (close > 0 && source[before] === '(') start = before;
    else break;
  }
  return source.slice(start, end);
}

/** Brackets opened and not closed, and closed and not opened, outside text literals. */
function unmatched(text: string): { open: number; close: number } {
  let open = 0;
  let close = 0;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '(') {
      open += 1;
    } else if (char === ')') {
      if (open > 0) open -= 1;
      else close += 1;
    }
  }
  return { open, close };
}

function nextNonSpace(source: string, from: number, step: 1 | -1): number {
  let index = from;
  while (index >= 0 && index < source.length && /\s/.test(source[index] ?? '')) index += step;
  return index;
}
