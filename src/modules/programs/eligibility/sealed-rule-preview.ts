import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { chunkRange, withoutJit } from '../cycles/cycle-chunks.js';
import { eligibleRows } from '../cycles/cycle-members.js';
import { programLimits } from '../limits.js';
import type { CheckedContent } from '../program-content.js';
import { refusingOverflow } from '../rules/rule-overflow.js';
import { planRule } from '../rules/rule-plan.js';
import { type CandidateRow, decideSealed, type SealedDeciding } from './sealed-decider.js';

/**
 * The preview of a rule change when either version reads a sealed fact (rule-preview.ts): the
 * same sets a cycle would compute, worked out as the sealed batch count does (`countEligible`).
 * The person-id space is read in `limits.programs.sealedCountChunks` chunks, each in its own
 * transaction; SQL narrows each version's candidates (its plan), the sealed-fact pool's worker
 * threads decide them after decryption (audited first, one entry per chunk and version), and
 * the two sets of one chunk are compared in memory. Only counts and cell keys by state leave
 * this function: the chunk's ids are dropped when it is counted, and no opened value ever left
 * a worker.
 *
 * @example
 *   const cells = await sealedChangedCells(db, { current, proposed, referenceDate, secret, sealed });
 *   cells.get('VE-A')?.entering.count; // 12n
 */
export interface PreviewSealed {
  readonly deps: SealedDeciding;
  /** The audit entry's actor (`preview:<program id>`) and request id of the reads. */
  readonly job: string;
  readonly requestId: string;
}

/** A count and its cell key: the sum of the counted persons' keys, modulo 2^32. */
export interface CellCount {
  count: bigint;
  key: bigint;
}

export interface ChangedCells {
  entering: CellCount;
  leaving: CellCount;
}

/** Cell keys are summed modulo 2^32. */
export const keyModulus = 2n ** 32n;

/**
 * A person's cell key: the first 32 bits of MD5(secret ‖ person id), as the SQL preview
 * computes it (`('x' || substr(md5(…), 1, 8))::bit(32)::int8`), so a set counted either way
 * is rounded the same way.
 */
export function cellKeyOf(secret: string, personId: string): bigint {
  return BigInt(`0x${createHash('md5').update(`${secret}${personId}`).digest('hex').slice(0, 8)}`);
}

/** person id → state, of the persons one version makes eligible in one chunk. */
type EligibleInChunk = Map<string, string>;

export async function sealedChangedCells(
  db: Kysely<Database>,
  props: {
    current: CheckedContent | undefined;
    proposed: CheckedContent;
    referenceDate: string;
    secret: string;
    sealed: PreviewSealed;
  },
): Promise<Map<string, ChangedCells>> {
  const chunks = programLimits.sealedCountChunks;
  const versions = [props.current, props.proposed] as const;
  const read = (index: number) => {
    const range = chunkRange(index, chunks);
    const rows = refusingOverflow('rule', () =>
      db.transaction().execute(async (trx) => {
        await withoutJit(trx);
        const sides: CandidateRow[][] = [];
        for (const checked of versions) {
          if (checked === undefined) {
            sides.push([]);
            continue;
          }
          const select = eligibleRows({
            checked,
            referenceDate: props.referenceDate,
            withoutAmount: true,
            personIdRange: range,
          });
          sides.push((await sql<CandidateRow>`${select}`.execute(trx)).rows);
        }
        return sides;
      }),
    );
    // Handled when awaited; this only keeps a failure meanwhile from being reported unhandled.
    rows.catch(() => undefined);
    return rows;
  };
  const cells = new Map<string, ChangedCells>();
  let next = read(0);
  for (let index = 0; index < chunks; index += 1) {
    const [nowRows = [], nextRows = []] = await next;
    if (index + 1 < chunks) next = read(index + 1);
    const now = await decided(props.current, nowRows, props.sealed, `${index}:current`);
    const then = await decided(props.proposed, nextRows, props.sealed, `${index}:proposed`);
    for (const [personId, region] of then) {
      if (!now.has(personId)) add(cells, region, 'entering', cellKeyOf(props.secret, personId));
    }
    for (const [personId, region] of now) {
      if (!then.has(personId)) add(cells, region, 'leaving', cellKeyOf(props.secret, personId));
    }
  }
  return cells;
}

/** The candidates the version makes eligible: its sealed part decided by the workers. */
async function decided(
  checked: CheckedContent | undefined,
  rows: readonly CandidateRow[],
  sealed: PreviewSealed,
  chunk: string,
): Promise<EligibleInChunk> {
  const eligible: EligibleInChunk = new Map();
  if (checked === undefined) return eligible;
  const plan = planRule(checked.rule);
  const kept = plan.needsWorkers
    ? await decideSealed(sealed.deps, {
        plan,
        rows,
        job: sealed.job,
        requestId: `${sealed.requestId}:chunk:${chunk}`,
      })
    : undefined;
  for (const row of rows) {
    if (kept === undefined || kept.has(row.person_id)) {
      eligible.set(row.person_id, String(row.region_code));
    }
  }
  return eligible;
}

function add(
  cells: Map<string, ChangedCells>,
  region: string,
  side: keyof ChangedCells,
  key: bigint,
): void {
  const cell = cells.get(region) ?? {
    entering: { count: 0n, key: 0n },
    leaving: { count: 0n, key: 0n },
  };
  cell[side] = { count: cell[side].count + 1n, key: (cell[side].key + key) % keyModulus };
  cells.set(region, cell);
}
