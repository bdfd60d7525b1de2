import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One row of the decision table in docs/ACCESS.md, as written there. */
export interface DocumentedRule {
  action: string;
  role: string;
  purposes: string[];
  scope: string;
}

const accessDoc = fileURLToPath(new URL('../docs/ACCESS.md', import.meta.url));

/** Reads the rows of the markdown table that follows `heading` in docs/ACCESS.md. */
function tableAfter(heading: string): string[][] {
  const lines = readFileSync(accessDoc, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`docs/ACCESS.md has no "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  // Drop the header and the |---| separator.
  return rows.slice(2);
}

/** The decision table: the single source the access tests read. */
export function documentedDecisionTable(): DocumentedRule[] {
  return tableAfter('## Decision table').map(
    ([action = '', role = '', purposes = '', scope = '']) => ({
      action,
      role,
      purposes: purposes.split(',').map((purpose) => purpose.trim()),
      scope,
    }),
  );
}

export function documentedReadQuotas(): Record<string, number> {
  return Object.fromEntries(
    tableAfter('## Read quotas (safeguard 10)').map(([role = '', quota = '']) => [
      role,
      Number(quota),
    ]),
  );
}
