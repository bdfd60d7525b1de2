import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bindingBytes,
  bindingKey,
  bindingTagBytes,
  boundEntryIndex,
  householdBindings,
  type PendingBinding,
} from './household-bindings.js';
import { snapshotCardKeys } from './snapshot-card-key.js';

describe('householdBindings', () => {
  it("writes each binding as node:crypto's HMAC gives it, sorted by tag, and nothing more", () => {
    const salt = randomBytes(16);
    const keyOf = snapshotCardKeys(salt);
    const people = Array.from({ length: 300 }, (_, index) => ({
      // One ID number longer than the message buffer's first size, and not ASCII.
      uin: index === 1 ? 'ñ'.repeat(40) : String(4_000_000_000 + index),
      memberCardIds: Array.from({ length: index % 4 }, () => randomBytes(16)),
      entryIndex: (index * 7919) % 0xff_ffff,
    }));
    const pending: PendingBinding[] = people.map((person) => ({
      ...person,
      memberCardKeys: person.memberCardIds.map(keyOf),
    }));
    const bindings = householdBindings(salt, pending);
    const bytes = Buffer.from(bindings, 'base64url');
    const expected = people.flatMap((person) =>
      person.memberCardIds.map((card) => {
        const key = bindingKey(salt, card.toString('hex'), person.uin);
        const record = Buffer.alloc(bindingBytes);
        key.copy(record, 0, 0, bindingTagBytes);
        record.writeUIntBE(person.entryIndex ^ key.readUIntBE(bindingTagBytes, 3), 5, 3);
        return record;
      }),
    );
    expect(bytes.equals(Buffer.concat(expected.sort(Buffer.compare)))).toBe(true);
    for (const person of people) {
      for (const card of person.memberCardIds) {
        expect(boundEntryIndex(salt, bindings, card.toString('hex'), person.uin)).toBe(
          person.entryIndex,
        );
      }
    }
    const [first] = people.filter((person) => person.memberCardIds.length > 0);
    const card = first?.memberCardIds[0]?.toString('hex') ?? '';
    expect(boundEntryIndex(randomBytes(16), bindings, card, first?.uin ?? '')).toBeUndefined();
    expect(householdBindings(salt, [])).toBe('');
  });
});
