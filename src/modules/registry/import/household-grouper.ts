import {
  type RefusalCode,
  type RefusalParams,
  type RefusedField,
  refusedField,
} from '../../../shared/import/refusals.js';
import { validateHouseholdAttributes } from '../catalogue/index.js';
import { importLimits } from './limits.js';
import { asRefusedField, type ParsedRow, type ValidRow } from './row-parser.js';

/**
 * Groups parsed rows into households and applies the household rules, so that a household
 * is written whole or not at all:
 *
 * - a household's rows are consecutive in the file (the generator writes them so); a
 *   household id that comes back after another household is an error on the late rows;
 * - a record id appears once in the file; a repeat (the same person twice) is an error;
 * - exactly one valid head; at most `householdMembersMax` members;
 * - members share the head's state, and the household's income band.
 *
 * Errors of a row are reported once, on the row: a household-level problem is added only to
 * rows that are otherwise valid.
 *
 * @example
 *   const grouper = new HouseholdGrouper();
 *   const closed = grouper.add(row); // a finished household, when `row` starts another
 *   const last = grouper.finish();
 */

/** One error line of the error file. */
export interface RowError {
  readonly line: number;
  readonly recordId: string;
  readonly field: string;
  /** Why, as a code of `refusals.ts`: the file is written in the reader's language. */
  readonly code: RefusalCode;
  readonly params: RefusalParams;
}

/** A household ready to write, with the lines it spans (invalid rows included). */
export interface ClosedHousehold {
  readonly sourceId: string;
  readonly firstLine: number;
  readonly lastLine: number;
  /** Empty when no member survived the checks. */
  readonly members: readonly ValidRow[];
  readonly regionCode: string;
  readonly incomeBand: number | null;
  /** Every error of the household's rows, by line. */
  readonly errors: readonly RowError[];
}

interface OpenHousehold {
  sourceId: string;
  firstLine: number;
  lastLine: number;
  rows: ParsedRow[];
}

/** What earlier parts of the file left behind, for a grouper that starts mid-file. */
export interface GrouperHistory {
  /** Record ids of this part that appeared in an earlier part. */
  readonly recordIdsSeen?: Iterable<string>;
  /** Household ids of this part that were closed in an earlier part. */
  readonly householdIdsClosed?: Iterable<string>;
}

export class HouseholdGrouper {
  readonly #recordIds: Set<string>;
  readonly #closedIds: Set<string>;
  #open: OpenHousehold | undefined;
  /** Errors of rows that belong to no household (unreadable, or a late household row). */
  #loose: RowError[] = [];

  /**
   * A grouper for the whole file, or for a part of it that starts at a household boundary
   * (an import worker's chunk) given what the parts before it saw.
   */
  constructor(history: GrouperHistory = {}) {
    this.#recordIds = new Set(history.recordIdsSeen);
    this.#closedIds = new Set(history.householdIdsClosed);
  }

  /** Adds the next row; returns the household it closes, if any. */
  add(row: ParsedRow): ClosedHousehold | undefined {
    const duplicate = row.recordId !== '' && this.#recordIds.has(row.recordId);
    if (row.recordId !== '') this.#recordIds.add(row.recordId);
    if (row.householdId === '') {
      this.#loose.push(...errorsOf(row, []));
      return undefined;
    }
    let closed: ClosedHousehold | undefined;
    if (this.#open?.sourceId !== row.householdId) {
      if (this.#closedIds.has(row.householdId)) {
        this.#loose.push(
          ...errorsOf(row, [
            refusedField('household_id', 'household_not_consecutive', {
              household: row.householdId,
            }),
          ]),
        );
        return undefined;
      }
      closed = this.finish();
      this.#open = { sourceId: row.householdId, firstLine: row.line, lastLine: row.line, rows: [] };
    }
    const open = this.#open;
    if (open === undefined) return closed;
    open.lastLine = row.line;
    open.rows.push(
      duplicate
        ? {
            ...row,
            valid: undefined,
            errors: [
              ...row.errors,
              refusedField('record_id', 'record_repeated', { record: row.recordId }),
            ],
          }
        : row,
    );
    return closed;
  }

  /** Closes the open household (at the end of the file, or before the next one). */
  finish(): ClosedHousehold | undefined {
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined) return undefined;
    this.#closedIds.add(open.sourceId);
    return closeHousehold(open);
  }

  /** Takes the errors of rows outside any household collected so far. */
  takeLooseErrors(): RowError[] {
    const loose = this.#loose;
    this.#loose = [];
    return loose;
  }
}

function closeHousehold(open: OpenHousehold): ClosedHousehold {
  const valid = open.rows.flatMap((row) => (row.valid === undefined ? [] : [row.valid]));
  const heads = valid.filter((row) => row.relationship === 'head');
  const head = heads[0];
  const problem = householdProblem(open, valid, heads);
  const errors: RowError[] = [];
  const members: ValidRow[] = [];
  for (const row of open.rows) {
    const own: RefusedField[] = [];
    if (row.valid !== undefined && problem !== undefined) own.push(problem);
    else if (
      row.valid !== undefined &&
      head !== undefined &&
      row.valid.stateCode !== head.stateCode
    ) {
      own.push(refusedField('state_code', 'state_differs_from_head', { line: head.line }));
    }
    if (row.valid !== undefined && own.length === 0) members.push(row.valid);
    errors.push(...errorsOf(row, own));
  }
  return {
    sourceId: open.sourceId,
    firstLine: open.firstLine,
    lastLine: open.lastLine,
    members,
    regionCode: head?.stateCode ?? '',
    incomeBand: head?.incomeBand ?? null,
    errors,
  };
}

function householdProblem(
  open: OpenHousehold,
  valid: readonly ValidRow[],
  heads: readonly ValidRow[],
): RefusedField | undefined {
  const household = open.sourceId;
  if (open.rows.length > importLimits.householdMembersMax) {
    return refusedField('household_id', 'household_too_large', {
      household,
      rows: open.rows.length,
      max: importLimits.householdMembersMax,
    });
  }
  if (heads.length > 1) {
    const lines = heads.map((row) => row.line).join(', ');
    return refusedField('relationship', 'household_heads', {
      household,
      count: heads.length,
      lines,
    });
  }
  if (heads.length === 0) {
    const invalidHead = open.rows.find((row) => row.relationship === 'head');
    return invalidHead === undefined
      ? refusedField('household_id', 'household_no_head', { household })
      : refusedField('household_id', 'household_invalid_head', {
          household,
          line: invalidHead.line,
        });
  }
  const bands = new Set(valid.map((row) => row.incomeBand));
  if (bands.size > 1) return refusedField('income_band', 'household_income_bands', { household });
  const band = heads[0]?.incomeBand;
  if (band !== null && band !== undefined) {
    const check = validateHouseholdAttributes({ income_band: band });
    const first = check.ok ? undefined : check.errors[0];
    if (first !== undefined) return asRefusedField(first, 'income_band');
  }
  return undefined;
}

function errorsOf(row: ParsedRow, extra: readonly RefusedField[]): RowError[] {
  return [...row.errors, ...extra].map((error) => ({
    line: row.line,
    recordId: row.recordId,
    field: error.field,
    code: error.code,
    params: error.params,
  }));
}
