import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliEnvironment,
  createCliEnvironment,
  runAmparo,
} from '../../test/cli-environment.js';
import { lookupAccounts, postedBalance } from '../modules/ledger/index.js';
import { merchantPayer } from '../modules/payments/merchants/merchant-payer.js';
import {
  approvedMerchantRegistered,
  pinOnFile,
  walletFunder,
} from '../modules/payments/merchants/merchant-test-kit.js';
import { paymentRequestMaker } from '../modules/payments/merchants/payment-request-maker.js';
import { validatePain001 } from '../modules/payments/payouts/iso20022/xsd-validator.js';
import { payingAccountStoredForTest } from '../modules/payments/payouts/payout-test-kit.js';

/**
 * `amparo payments settle-merchants` (issue #16, point 5: daily settlement), spawned as a
 * scheduler would run it each day: a merchant paid from a wallet is settled to the settlement
 * account and the bank's pain.001 file is written, schema-valid, debiting the paying account a
 * finance officer stored for the currency; run again, it settles nothing twice and writes the
 * same payments. With none stored it settles nothing, whatever `--debtor-*` flags name.
 */
describe('amparo payments settle-merchants', () => {
  let cli: CliEnvironment;
  let merchantAccount: string;
  /** Pays the merchant once more from the same wallet. */
  let payAgain: () => Promise<void>;

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-settle-');
    await cli.withCommandDatabase(async (db) => {
      const masterKey = randomBytes(32);
      const now = new Date();
      const merchant = await approvedMerchantRegistered(db, masterKey, {
        merchantId: randomUUID(),
        name: 'Farmacia Central',
        stateCode: 'VE-A',
        currency: 'VES',
        settlement: {
          bankCode: '0134',
          accountNumber: '01340000000000000077',
          holder: 'organisation',
        },
        staffOperatorIds: [],
        subsidies: [],
        registeredBy: randomUUID(),
      });
      merchantAccount = merchant.accountId;
      const payer = randomUUID();
      await walletFunder(db, payer, 5_000n);
      await pinOnFile(db, {
        personId: payer,
        pin: '4821',
        hashOptions: { memoryCost: 1024, timeCost: 1 },
        masterKey,
        now,
      });
      const { token } = await paymentRequestMaker(db, masterKey, {
        merchant,
        amountMinor: '1250',
        reference: 'F-1',
        programId: null,
        expiresInSeconds: 300,
        createdBy: randomUUID(),
        now,
      });
      await merchantPayer(db, masterKey, {
        token,
        pin: '4821',
        payerPersonId: payer,
        channel: 'wallet',
        now,
      });
      payAgain = () =>
        cli.withCommandDatabase(async (again) => {
          const made = await paymentRequestMaker(again, masterKey, {
            merchant,
            amountMinor: '300',
            reference: 'F-2',
            programId: null,
            expiresInSeconds: 300,
            createdBy: randomUUID(),
            now: new Date(),
          });
          await merchantPayer(again, masterKey, {
            token: made.token,
            pin: '4821',
            payerPersonId: payer,
            channel: 'wallet',
            now: new Date(),
          });
        });
    });
  }, 120_000);
  afterAll(async () => cli?.close());
  // Each run of the command is a process opening the database (PGlite: its data directory),
  // several seconds on a loaded machine; a test runs it up to twice.
  const spawnsTimeoutMs = 120_000;

  /** `amparo payments settle-merchants` of a VES day into `out`, with any other flags. */
  const settle = (date: string, out: string, flags: string[] = []) =>
    runAmparo(cli.env, [
      'payments',
      'settle-merchants',
      '--date',
      date,
      '--currency',
      'VES',
      ...flags,
      '--out',
      out,
    ]);
  const merchantBalance = () =>
    cli.withCommandDatabase(async (db) => {
      const [account] = await lookupAccounts(db, [merchantAccount]);
      return account === undefined ? null : postedBalance(account);
    });

  it(
    'settles nothing while no paying account is stored, even with --debtor-* flags',
    async () => {
      const out = path.join(cli.workDir, 'settlement-none.xml');
      const refused = await settle('2026-12-05', out, [
        '--debtor-name',
        'Amparo',
        '--debtor-account',
        '01020000000000000009',
        '--debtor-bank',
        '0102',
      ]);
      expect(refused.code).not.toBe(0);
      // AMP_PAYING_ACCOUNT_REQUIRED, as its message.
      expect(refused.stderr).toContain('No paying account is stored');
      expect(existsSync(out)).toBe(false);
      expect(await merchantBalance()).toBe(1250n);
      const runs = await cli.withCommandDatabase((db) =>
        db.selectFrom('merchant_settlement_run').select('settlement_date').execute(),
      );
      expect(runs).toEqual([]);
    },
    spawnsTimeoutMs,
  );

  it(
    'settles the day into a schema-valid pain.001 debiting the stored account, and settles nothing twice',
    async () => {
      // A finance officer stored the currency's paying account (payment.paying_account_set).
      await cli.withCommandDatabase((db) =>
        payingAccountStoredForTest(
          db,
          { scope: 'merchant_settlement', key: 'VES' },
          { name: 'Amparo', accountNumber: '01020000000000000009', bankCode: '0102' },
        ),
      );
      const out = path.join(cli.workDir, 'settlement.xml');
      const first = await settle('2026-12-05', out);
      expect([first.code, first.stderr]).toEqual([0, '']);
      expect(first.stdout).toContain('Settled 1 merchants on 2026-12-05: 1250 VES');
      const xml = readFileSync(out, 'utf8');
      expect((await validatePain001(xml)).valid).toBe(true);
      expect(xml).toContain('01340000000000000077');
      expect(xml).toContain('<DbtrAcct><Id><Othr><Id>01020000000000000009</Id>');
      expect(xml).toContain('<InstdAmt Ccy="VES">12.50</InstdAmt>');
      // Paid after the day was settled: the day is not settled again; the next day takes it.
      await payAgain();
      const second = await settle('2026-12-05', out);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('Settled 1 merchants on 2026-12-05: 1250 VES');
      expect(await merchantBalance()).toBe(300n);
    },
    spawnsTimeoutMs,
  );

  it(
    'refuses a debtor account other than the stored one, even named without --debtor-name',
    async () => {
      const out = path.join(cli.workDir, 'settlement-2.xml');
      const other = await settle('2026-12-06', out, [
        '--debtor-account',
        '01050000000000000001',
        '--debtor-bank',
        '0105',
      ]);
      expect(other.code).not.toBe(0);
      // AMP_PAYING_ACCOUNT_MISMATCH, as its message.
      expect(other.stderr).toContain('The paying account named is not the one stored');
      // The stored account repeated without its name is the stored one: settled.
      const same = await settle('2026-12-06', out, ['--debtor-account', '01020000000000000009']);
      expect([same.code, same.stderr]).toEqual([0, '']);
    },
    spawnsTimeoutMs,
  );
});
