import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { accountCreator, accountFlags, transferCreator, transferFlags } from '../ledger/index.js';
import { approvedCycle, publishedCycle, publishedProgram } from '../programs/programs-test-kit.js';
import { fundingAccountId, settlementAccountId } from './accounts/account-ids.js';
import { settlementAccountsOpener } from './accounts/settlement-accounts.js';

/**
 * A published on-demand cash program (everyone of age, `amountMinor` VES each) and its published
 * cycle: the open cash entitlements a disbursement or a payout pays. With `unpublished`, the
 * cycle is approved only (pre-activated: payments refuses to pay it). Persons come from the caller.
 */
export async function cashCycle(
  db: Kysely<Database>,
  props: { code: string; amountMinor: bigint; referenceDate?: string; unpublished?: boolean },
): Promise<{ programId: string; cycleId: string }> {
  const { programId } = await publishedProgram(db, {
    code: props.code,
    content: {
      nameEs: 'Bono',
      nameEn: 'Bonus',
      descriptionEs: '',
      descriptionEn: '',
      kind: 'cash',
      unit: 'person',
      regions: [],
      // On demand: the payouts tests open several cycles of one program, some in one month
      // (a one-off program has one cycle, a monthly one one a month).
      cadence: 'on_demand',
      benefit: { amountMinor: props.amountMinor, currency: 'VES' },
      budgetCap: 1_000_000_000_00n,
      eligibilityRule: 'age >= 18',
    },
  });
  const { cycleId } = await (props.unpublished === true ? approvedCycle : publishedCycle)(
    db,
    programId,
    props.referenceDate,
  );
  return { programId, cycleId };
}

/**
 * The VES settlement account and a program's funding account holding `amountMinor`, funded
 * from settlement through the ledger (no program row: the payout verbs need only the account).
 */
export async function fundedProgramAccount(
  db: Kysely<Database>,
  programId: string,
  amountMinor: bigint,
): Promise<void> {
  const funding = fundingAccountId(programId, 'VES');
  const settlement = settlementAccountId('VES');
  await settlementAccountsOpener(db, 'VES');
  await accountCreator(db, [
    {
      id: funding,
      currency: 'VES',
      kind: 'program_funding',
      flags: accountFlags.debitsMustNotExceedCredits,
      referenceId: programId,
    },
  ]);
  await transferCreator(db, [
    {
      id: randomUUID(),
      debitAccountId: settlement,
      creditAccountId: funding,
      amountMinor,
      flags: transferFlags.none,
      currency: 'VES',
      reason: 'funding',
    },
  ]);
}

/**
 * A cash cycle's open entitlements (id, person, amount) by person id: what a payout batch may
 * pay (`publishedCycle` of the same program at another date gives fresh ones).
 */
export async function openCashEntitlements(
  db: Kysely<Database>,
  cycleId: string,
): Promise<Array<{ entitlementId: string; personId: string; amountMinor: bigint }>> {
  const rows = await db
    .selectFrom('entitlement')
    .select(['id', 'person_id', 'amount_minor'])
    .where('cycle_id', '=', cycleId)
    .where('status', '=', 'open')
    .orderBy('person_id')
    .execute();
  return rows.map((row) => ({
    entitlementId: row.id,
    personId: row.person_id,
    amountMinor: BigInt(row.amount_minor ?? 0n),
  }));
}
