import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliEnvironment,
  createCliEnvironment,
  runAmparo,
} from '../../test/cli-environment.js';
import { transferCreator } from '../modules/ledger/index.js';
import { newId, openAccount, transfer } from '../modules/ledger/ledger-test-kit.js';

function ledgerVerify(env: NodeJS.ProcessEnv, args: string[] = []) {
  return runAmparo(env, ['ledger', 'verify', ...args]);
}

/**
 * `amparo ledger verify` (issue #16, point 8), spawned as people run it, on the command's own
 * database: sound after real transfers; after someone holding the application's password
 * raises a wallet's balance with a plain UPDATE (the role may write balances, as the
 * transfer engine does), the command names that account and exits 1.
 */
describe('amparo ledger verify', () => {
  let cli: CliEnvironment;
  let wallet: string;

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-ledger-verify-');
    await cli.withCommandDatabase(async (db) => {
      const funding = await openAccount(db, 'program_funding', { flags: 0 });
      wallet = await openAccount(db, 'beneficiary_wallet');
      const outcomes = await transferCreator(db, [
        transfer(funding, wallet, 500_00n),
        transfer(funding, wallet, 130_00n, { id: newId() }),
      ]);
      expect(outcomes.map((outcome) => outcome.result)).toEqual(['ok', 'ok']);
    });
  }, 120_000);
  afterAll(async () => cli?.close());

  it('says the ledger is sound, then names an account whose balance was raised by hand', async () => {
    const sound = await ledgerVerify(cli.env, ['--json']);
    expect(sound.stderr).toBe('');
    expect(sound.code).toBe(0);
    expect(JSON.parse(sound.stdout)).toMatchObject({
      sound: true,
      accountsChecked: 2,
      transfersChecked: 2,
      balanceMismatches: [],
    });

    await cli.withCommandDatabase((db) =>
      sql`update ledger_account set credits_posted = credits_posted + 1000000 where id = ${wallet}`.execute(
        db,
      ),
    );
    const tampered = await ledgerVerify(cli.env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('Ledger NOT sound: 2 accounts, 2 transfers checked.');
    expect(tampered.stdout).toContain(`account ${wallet}: stored balances 0/0/0/1063000`);
    expect(tampered.stdout).toContain('but its transfers sum to 0/0/0/63000');
  }, 120_000);
});
