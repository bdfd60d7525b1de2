import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import type { OutgoingText, SendOutcome, SmsProvider } from './provider.js';

/** A database, a master key and persons to text: what the outbox tests start from. */
export interface OutboxTestKit {
  database: TestDatabase;
  masterKey: Buffer;
  /** A person row (the outbox's person_id refers to one). */
  person(): Promise<string>;
  close(): Promise<void>;
}

export async function buildOutboxTestKit(): Promise<OutboxTestKit> {
  const database = await createTestDatabase();
  return {
    database,
    masterKey: randomBytes(32),
    async person() {
      const id = randomUUID();
      const uin = String(2_000_000_000 + Math.floor(Math.random() * 7_000_000_000));
      await database.db
        .insertInto('person')
        .values({ id, uin, region_code: 'VE-A', merged_into: null })
        .execute();
      return id;
    },
    close: () => database.close(),
  };
}

/**
 * A provider that records what it was given and answers what the test says: `accepted` with
 * one id per part by default. Not a mock of a real protocol: the SMPP and webhook providers
 * have their own tests against real servers.
 */
export function recordingProvider(
  answer: (message: OutgoingText, index: number) => SendOutcome | Promise<SendOutcome> = () => ({
    kind: 'accepted',
    partIds: [`p-${randomUUID()}`],
  }),
): SmsProvider & { sent: OutgoingText[] } {
  const sent: OutgoingText[] = [];
  return {
    name: 'test',
    sent,
    async send(message) {
      const outcome = await answer(message, sent.length);
      if (outcome.kind === 'accepted') sent.push(message);
      return outcome;
    },
    async close() {},
  };
}
