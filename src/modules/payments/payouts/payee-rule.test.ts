import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import { payeeAccountWriter, payeesForBatch, payeeUsability } from './payee-account.js';
import { payoutTestWorld, testPayee } from './payout-test-kit.js';

/**
 * The batch preview (`payeeUsability`, clear columns only) and the batch (`payeesForBatch`,
 * which opens the accounts) judge a person's payee account by one rule: the preview must never
 * promise a payment the batch then leaves out, nor the other way round.
 */
describe('the payee rule the preview and the batch share', () => {
  const masterKey = randomBytes(32);
  const now = new Date();
  const later = new Date(now.getTime() + 24 * 60 * 60_000);
  const earlier = new Date(now.getTime() - 60_000);
  let database: TestDatabase;
  const persons: Record<
    'none' | 'usable' | 'held' | 'holdOver' | 'heldAfterUsable' | 'phoneHeld',
    string
  > = {
    none: '',
    usable: '',
    held: '',
    holdOver: '',
    heldAfterUsable: '',
    phoneHeld: '',
  };

  beforeAll(async () => {
    ({ database } = await payoutTestWorld(masterKey));
    const context = { database, masterKey };
    for (const key of Object.keys(persons) as Array<keyof typeof persons>) {
      persons[key] = (await buildPerson(context, { phone: null })).id;
    }
    /** A change held by staff (two-person), or with the texted code after a change of phone. */
    const write = (
      personId: string,
      heldUntil: Date | null,
      setAt: Date,
      index: number,
      holdReason: 'staff_two_person' | 'phone_changed' = 'staff_two_person',
    ) =>
      database.db.transaction().execute((trx) => {
        const twoPerson = heldUntil !== null && holdReason === 'staff_two_person';
        return payeeAccountWriter(trx, masterKey, {
          personId,
          input: testPayee(index),
          setMethod: twoPerson ? 'staff_two_person' : 'staff_phone_code',
          setBy: randomUUID(),
          approvedBy: twoPerson ? randomUUID() : null,
          checkId: randomUUID(),
          setAt,
          heldUntil,
          holdReason: heldUntil === null ? null : holdReason,
          phoneChange:
            holdReason === 'phone_changed' ? { changedAt: earlier, changedBy: null } : undefined,
        });
      });
    const anHourAgo = new Date(now.getTime() - 60 * 60_000);
    await write(persons.usable, null, anHourAgo, 0);
    await write(persons.held, later, anHourAgo, 1);
    await write(persons.holdOver, earlier, anHourAgo, 2);
    // A held change does not fall back to the usable account before it.
    await write(persons.heldAfterUsable, null, new Date(now.getTime() - 2 * 60 * 60_000), 3);
    await write(persons.heldAfterUsable, later, anHourAgo, 4);
    // Set with the texted code soon after a change of phone: held, with its own reason.
    await write(persons.phoneHeld, null, new Date(now.getTime() - 2 * 60 * 60_000), 5);
    await write(persons.phoneHeld, later, anHourAgo, 6, 'phone_changed');
  });
  afterAll(async () => database?.close());

  it('answers each case alike from the clear columns and from the opened accounts', async () => {
    const ids = Object.values(persons);
    const preview = await payeeUsability(database.db, ids, now);
    const batch = await payeesForBatch(database.db, masterKey, ids, now);
    const judged = (payee: { usable: boolean; reason?: string; heldUntil?: Date | null }) =>
      payee.usable ? 'usable' : `${payee.reason} ${payee.heldUntil?.toISOString() ?? ''}`;
    const expected = {
      none: 'no_payee_account ',
      usable: 'usable',
      held: `payee_account_held ${later.toISOString()}`,
      holdOver: 'usable',
      heldAfterUsable: `payee_account_held ${later.toISOString()}`,
      phoneHeld: `payee_account_phone_changed ${later.toISOString()}`,
    };
    for (const [key, personId] of Object.entries(persons)) {
      const fromPreview = preview.get(personId);
      const fromBatch = batch.get(personId);
      expect(fromPreview && judged(fromPreview), `preview: ${key}`).toBe(
        expected[key as keyof typeof expected],
      );
      expect(fromBatch && judged(fromBatch), `batch: ${key}`).toBe(
        expected[key as keyof typeof expected],
      );
    }
  });
});
