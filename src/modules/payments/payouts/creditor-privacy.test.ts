import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../../test/db.js';
import { buildOperator, buildPerson } from '../../../../test/factories.js';
import type { OperatorActor } from '../../../shared/access/actor.js';
import { consumePersonReads } from '../../access/index.js';
import { publishedCycle } from '../../programs/programs-test-kit.js';
import { executeErasure, insertErasureRequest } from '../../registry/erasure/repository.js';
import type { PaymentsContext } from '../payments-context.js';
import { cashCycle, fundedProgramAccount, openCashEntitlements } from '../payments-test-kit.js';
import { type PayoutBatchInput, payoutBatchCreator } from './batch-creator.js';
import { payoutFileReader } from './batch-reader.js';
import type { PayoutDependencies } from './payout-gate.js';
import {
  approvedForTest,
  payingAccountStoredForTest,
  payoutTestWorld,
  storedPayeesForTest,
  testBatchInput,
} from './payout-test-kit.js';

/**
 * Safeguard 6 for payouts: a creditor's name, account and cédula are sealed under the paid
 * person's data key. Someone holding the database (every row of the payout and ledger tables,
 * and the raw files) finds none of them; the person's erasure makes them unreadable and the
 * file is refused; a download is a person read, counted against the quota and audited per person.
 */
describe('payout creditors under the person key', () => {
  let database: TestDatabase;
  let deps: PayoutDependencies;
  const masterKey = randomBytes(32);
  let programId: string;
  const system: PaymentsContext = {
    actor: { kind: 'system', job: 'payout-privacy-test' },
    purpose: 'distribution',
    requestId: 'privacy-test',
  };
  const secrets = {
    name: 'Zoraida Quintanilla Belisario',
    nationalId: 'V19283746',
    account: '01349876543210987654',
    phone: '+584169998877',
    phoneNationalId: 'V27364518',
    phoneName: 'Eleuterio Arismendi Palacios',
  };
  const bankPayee = {
    holderName: secrets.name,
    holderNationalId: secrets.nationalId,
    account: { kind: 'bank_account' as const, accountNumber: secrets.account },
    bank: { bankCode: '0134' },
  };
  const persons: string[] = [];
  /** Each person's open entitlements, in cycle order (one cycle per batch the tests make). */
  const owed = new Map<string, string[]>();
  /** A new published cycle of the program: one more entitlement for each person. */
  const newCycle = async (referenceDate: string) => {
    const { cycleId } = await publishedCycle(database.db, programId, referenceDate);
    for (const entitlement of await openCashEntitlements(database.db, cycleId))
      owed.set(entitlement.personId, [
        ...(owed.get(entitlement.personId) ?? []),
        entitlement.entitlementId,
      ]);
  };
  const entitlementOf = (personId: string) => {
    const [next, ...rest] = owed.get(personId) ?? [];
    owed.set(personId, rest);
    return next ?? '';
  };

  beforeAll(async () => {
    ({ database, deps } = await payoutTestWorld(masterKey));
    for (let index = 0; index < 2; index += 1)
      persons.push((await buildPerson({ database, masterKey })).id);
    ({ programId } = await cashCycle(database.db, { code: 'bono_sellado', amountMinor: 10_00n }));
    await fundedProgramAccount(database.db, programId, 10_000_00n);
    await payingAccountStoredForTest(database.db, { scope: 'program', key: programId });
    await newCycle('2026-12-15');
    await newCycle('2026-12-20');
    await newCycle('2026-12-25');
    // Their stored payee accounts (migration 0116): what every batch below pays into.
    await storedPayeesForTest(deps, [
      { personId: persons[0] ?? '', payee: bankPayee },
      {
        personId: persons[1] ?? '',
        payee: {
          holderName: secrets.phoneName,
          holderNationalId: secrets.phoneNationalId,
          account: { kind: 'mobile_money', phoneNumber: secrets.phone },
          bank: { bankCode: '0105' },
        },
      },
    ]);
  });
  afterAll(async () => database?.close());

  /** Pays each person given (twice for one named twice) the next of their entitlements. */
  const batch = (payees = [persons[0] ?? '', persons[1] ?? '']): PayoutBatchInput =>
    testBatchInput(
      programId,
      payees.map((personId) => ({ entitlementId: entitlementOf(personId), amountMinor: 10_00n })),
    );

  /** Each secret as text, and as the UTF-8 and UTF-16 bytes a raw file would hold it in. */
  function leaks(haystack: Buffer | string): string[] {
    const bytes = Buffer.isBuffer(haystack) ? haystack : Buffer.from(haystack, 'utf8');
    const words = [
      secrets.name,
      'Quintanilla',
      secrets.nationalId,
      '19283746',
      secrets.account,
      secrets.phone,
      '4169998877',
      secrets.phoneNationalId,
      'Arismendi',
    ];
    return words.filter(
      (word) =>
        bytes.includes(Buffer.from(word, 'utf8')) || bytes.includes(Buffer.from(word, 'utf16le')),
    );
  }

  it('keeps no creditor in clear: not in any row of the payout and ledger tables, nor in the raw files', async () => {
    const summary = await payoutBatchCreator(deps, system, batch());
    await approvedForTest(deps.db, summary.id);
    const file = await payoutFileReader(deps, system, summary.id);
    // The bank still gets everything it needs.
    expect(leaks(file.xml)).toHaveLength(9);

    const tables = [
      'payee_account',
      'payout_batch',
      'payout_instruction',
      'payout_bank_file',
      'payout_suspense',
      'ledger_account',
      'ledger_transfer',
    ];
    const everyRow = await database.asAdmin(async (admin) => {
      const dumps: string[] = [];
      for (const table of tables) {
        const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
          admin,
        );
        for (const row of rows.rows) {
          for (const value of Object.values(row)) {
            // A bytea column is read as bytes: search both the bytes and their text forms.
            if (value instanceof Uint8Array) {
              const bytes = Buffer.from(value);
              dumps.push(bytes.toString('latin1'), bytes.toString('hex'));
            } else
              dumps.push(
                JSON.stringify(value, (_, item) =>
                  typeof item === 'bigint' ? String(item) : item,
                ),
              );
          }
        }
      }
      return dumps.join('\n');
    });
    expect(everyRow).toContain(summary.messageId);
    expect(leaks(everyRow)).toEqual([]);

    // The raw files: PGlite's whole data directory (heap and WAL); on PostgreSQL the payout
    // tables' heap files, read by the superuser after a checkpoint.
    const raw =
      database.rawDataDirectory !== undefined
        ? await database.rawDataDirectory()
        : await database.asAdmin(async (admin) => {
            // The checkpoint writes out and syncs every dirty page and new file of the whole
            // server, which the other test worker's databases keep adding: 13 s to over 30 s in
            // CI. It runs without the connection's statement timeout (30 s), on one connection,
            // and the test has 300 s.
            await admin.connection().execute(async (connection) => {
              await sql`set statement_timeout = 0`.execute(connection);
              await sql`checkpoint`.execute(connection);
              await sql`reset statement_timeout`.execute(connection);
            });
            const files: Buffer[] = [];
            for (const table of ['payee_account', 'payout_batch', 'payout_instruction']) {
              const read = await sql<{ bytes: Uint8Array }>`
                select pg_read_binary_file(pg_relation_filepath(${table}::regclass)) as bytes`.execute(
                admin,
              );
              files.push(Buffer.from(read.rows[0]?.bytes ?? new Uint8Array()));
            }
            return Buffer.concat(files);
          });
    expect(raw.includes(Buffer.from(summary.messageId))).toBe(true);
    expect(leaks(raw)).toEqual([]);
  }, 300_000);

  it("crypto-shreds a creditor with the person's erasure: the file is refused, naming payments only", async () => {
    const summary = await payoutBatchCreator(deps, system, batch());
    await approvedForTest(deps.db, summary.id);
    const [requester, approver] = [
      await buildOperator(
        { database, masterKey },
        { username: 'erasure.asks', roles: ['administrator'] },
      ),
      await buildOperator(
        { database, masterKey },
        { username: 'erasure.approves', roles: ['administrator'] },
      ),
    ];
    const requestId = randomUUID();
    await database.db.transaction().execute(async (trx) => {
      await insertErasureRequest(trx, {
        id: requestId,
        personId: persons[0] ?? '',
        requestedBy: requester.id,
        reasonCode: 'person_request',
        reference: null,
        requestedAt: new Date(),
      });
    });
    await database.db.transaction().execute(async (trx) => {
      expect(
        await executeErasure(trx, { id: requestId, approvedBy: approver.id, at: new Date() }),
      ).toBeDefined();
    });

    const refused = payoutFileReader(deps, system, summary.id);
    await expect(refused).rejects.toMatchObject({ code: 'AMP_PAYOUT_CREDITOR_ERASED' });
    const error = await refused.catch((caught: unknown) => caught);
    expect(leaks(JSON.stringify(error))).toEqual([]);
    expect(JSON.stringify(error)).toMatch(/"field":"\/payments\/P[A-Z0-9]{15}"/);
    // A new batch leaves the erased person out: their stored payee account cannot be opened.
    const after = await payoutBatchCreator(deps, system, batch());
    expect(after).toMatchObject({ paymentsCount: 1, excludedCount: 1 });
    const [excluded] = await database.db
      .selectFrom('payout_exclusion')
      .select(['seq', 'person_id', 'reason'])
      .where('batch_id', '=', after.id)
      .execute();
    expect(excluded).toEqual({ seq: 0, person_id: persons[0], reason: 'no_payee_account' });
  });

  it("counts another officer's download against the read quota before opening anything, not the maker's, and audits each per person", async () => {
    const officerActor = async (username: string): Promise<OperatorActor> => {
      const officer = await buildOperator(
        { database, masterKey },
        { username, roles: ['finance_officer'], regions: ['VE-A'] },
      );
      return {
        kind: 'operator',
        operatorId: officer.id,
        username,
        roles: ['finance_officer'],
        regions: ['VE-A'],
        sessionId: randomUUID(),
      };
    };
    const maker = await officerActor('finanzas.autora');
    const reader = await officerActor('finanzas.cuota');
    const contextOf = (actor: OperatorActor): PaymentsContext => ({
      actor,
      purpose: 'distribution',
      requestId: 'quota-test',
    });
    const fresh = await buildPerson({ database, masterKey });
    await storedPayeesForTest(deps, [{ personId: fresh.id, payee: bankPayee }]);
    await newCycle('2027-01-05');
    await newCycle('2027-01-10');
    const summary = await payoutBatchCreator(deps, contextOf(maker), batch([fresh.id, fresh.id]));
    await approvedForTest(deps.db, summary.id);
    const auditedOn = async (personId: string) =>
      (
        await database.db
          .selectFrom('audit_entry')
          .select('entry')
          .where('person_id', '=', personId)
          .execute()
      ).map((row) => JSON.parse(row.entry) as { action: string; outcome: string });

    // Making the batch opened the person's stored payee account: in their access history.
    const made = [expect.objectContaining({ action: 'payout.manage', outcome: 'allowed' })];
    expect(await auditedOn(fresh.id)).toEqual(made);
    // Another officer with no quota left: refused before any creditor is opened.
    await consumePersonReads(database.db, reader, 300);
    await expect(payoutFileReader(deps, contextOf(reader), summary.id)).rejects.toMatchObject({
      code: 'AMP_QUOTA_EXCEEDED',
    });
    expect(await auditedOn(fresh.id)).toEqual(made);

    // The maker with no quota left: not counted (the file left only after a second officer's
    // approval), and the download is still in the person's access history.
    await consumePersonReads(database.db, maker, 300);
    await payoutFileReader(deps, contextOf(maker), summary.id);
    expect(await auditedOn(fresh.id)).toEqual([
      ...made,
      expect.objectContaining({ action: 'payout.manage', outcome: 'allowed' }),
    ]);

    await database.asAdmin((admin) =>
      admin
        .deleteFrom('operator_read_window')
        .where('operator_id', '=', reader.operatorId)
        .execute(),
    );
    await payoutFileReader(deps, contextOf(reader), summary.id);
    // Two payments to one person: one read per download, one entry each in their history.
    expect(await auditedOn(fresh.id)).toEqual([
      ...made,
      expect.objectContaining({ action: 'payout.manage', outcome: 'allowed' }),
      expect.objectContaining({ action: 'payout.manage', outcome: 'allowed' }),
    ]);
  });
});
