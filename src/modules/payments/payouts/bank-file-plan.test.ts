import { describe, expect, it } from 'vitest';
import { planStatements } from './bank-file-plan.js';
import type { BankStatement, StatementMovement } from './iso20022/bank-statement.js';

/**
 * A statement's booked credit naming a payout is its return (migration 0131): the plan keeps the
 * status the payment had, which a second finance officer's rejection restores (migration 0135),
 * and a payment whose return was rejected is not returned again by a later credit.
 */
describe('the plan of a statement, for returns', () => {
  const credit = (endToEndId: string, location: string): StatementMovement => ({
    location,
    amountMinor: 100n,
    currency: 'VES',
    direction: 'credit',
    booked: true,
    reversal: false,
    returned: true,
    returnReason: 'AC04',
    endToEndId,
    bankReference: null,
    bookingDate: '2026-12-07',
  });
  const statement = (movements: StatementMovement[]): BankStatement => ({
    format: 'camt.053',
    messageId: 'STMT-1',
    statementId: 'S-1',
    account: '01020123456789012345',
    currency: 'VES',
    openingBalanceMinor: null,
    closingBalanceMinor: null,
    movements,
  });
  const instruction = (
    id: string,
    status: 'pending' | 'accepted' | 'settled',
    rejected = false,
  ) => ({
    id,
    endToEndId: id.toUpperCase(),
    amountMinor: 100n,
    status,
    returnRejected: rejected,
  });

  it('keeps the status each returned payment had: settled, or accepted (posted first if pending)', () => {
    const plan = planStatements(
      [statement([credit('A', 'Ntry[0]'), credit('B', 'Ntry[1]'), credit('C', 'Ntry[2]')])],
      [instruction('a', 'settled'), instruction('b', 'accepted'), instruction('c', 'pending')],
    );
    expect(plan.returns.map((item) => [item.instructionId, item.returnedFrom])).toEqual([
      ['a', 'settled'],
      ['b', 'accepted'],
      ['c', 'accepted'],
    ]);
    expect(plan.resolutions.map((item) => item.instructionId)).toEqual(['c']);
  });

  it('reads a credit naming a payment whose return was rejected as money of no payout', () => {
    const plan = planStatements(
      [statement([credit('A', 'Ntry[0]')])],
      [instruction('a', 'settled', true)],
    );
    expect(plan.returns).toEqual([]);
    expect(plan.unmatched).toEqual([
      expect.objectContaining({ kind: 'unmatched_credit', endToEndId: 'A', amountMinor: 100n }),
    ]);
  });
});
