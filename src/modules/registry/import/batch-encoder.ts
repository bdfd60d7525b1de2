import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { newDataKey, seal, wrapDataKey } from '../../../platform/crypto/envelope.js';
import { generateUin } from '../uin/index.js';
import type { ClosedHousehold } from './household-grouper.js';

/**
 * Turns a batch of households into the column arrays of one multi-row insert per table:
 * fresh ids, UINs, a data key per person (wrapped by the master key), sealed sensitive
 * attributes and the phone blind index. This is where the import spends its CPU, so it
 * works column-wise and derives the blind-index key once.
 *
 * @example
 *   const encoder = new BatchEncoder(masterKey);
 *   const columns = encoder.encode(households);
 *   columns.person.uin.length; // persons in the batch
 */
export interface EncodedBatch {
  readonly firstLine: number;
  readonly lastLine: number;
  readonly person: { id: string[]; uin: string[]; region: string[] };
  readonly key: { wrapped: Buffer[] };
  readonly version: { attributes: string[]; sealed: Buffer[] };
  readonly phoneIndex: { personId: string[]; digest: Buffer[] };
  readonly household: { id: string[]; region: string[] };
  readonly householdVersion: { householdId: string[]; attributes: string[] };
  readonly membership: { householdId: string[]; relationship: string[] };
  /** File line each person came from. */
  readonly lines: number[];
  /** Catalogue attribute names written, for the audit entry. */
  readonly fields: readonly string[];
}

const phoneIndexKind = 'phone';

export class BatchEncoder {
  readonly #masterKey: Buffer;
  readonly #phoneIndexKey: Buffer;
  /** UINs drawn by this process: the file's own collisions never reach the database. */
  readonly #uinsDrawn = new Set<string>();

  constructor(masterKey: Buffer) {
    this.#masterKey = masterKey;
    // The key `blindIndex()` in platform/crypto/envelope.ts derives on every call; derived
    // once here (a test checks both give the same digest).
    this.#phoneIndexKey = Buffer.from(
      hkdfSync('sha256', masterKey, Buffer.alloc(0), `amparo blind index ${phoneIndexKind}`, 32),
    );
  }

  /** A UIN no earlier row of this process received. */
  drawUin(): string {
    for (;;) {
      const uin = generateUin();
      if (!this.#uinsDrawn.has(uin)) {
        this.#uinsDrawn.add(uin);
        return uin;
      }
    }
  }

  phoneDigest(phone: string): Buffer {
    return createHmac('sha256', this.#phoneIndexKey).update(phone, 'utf8').digest().subarray(0, 16);
  }

  encode(households: readonly ClosedHousehold[]): EncodedBatch {
    const first = households[0];
    const last = households[households.length - 1];
    if (first === undefined || last === undefined)
      throw new Error('an import batch is never empty');
    const batch: EncodedBatch = {
      firstLine: first.firstLine,
      lastLine: last.lastLine,
      person: { id: [], uin: [], region: [] },
      key: { wrapped: [] },
      version: { attributes: [], sealed: [] },
      phoneIndex: { personId: [], digest: [] },
      household: { id: [], region: [] },
      householdVersion: { householdId: [], attributes: [] },
      membership: { householdId: [], relationship: [] },
      lines: [],
      fields: [],
    };
    const fields = new Set<string>();
    for (const household of households) this.#encodeHousehold(household, batch, fields);
    return { ...batch, fields: [...fields].sort() };
  }

  #encodeHousehold(household: ClosedHousehold, batch: EncodedBatch, fields: Set<string>): void {
    const householdId = randomUUID();
    batch.household.id.push(householdId);
    batch.household.region.push(household.regionCode);
    if (household.incomeBand !== null) {
      batch.householdVersion.householdId.push(householdId);
      batch.householdVersion.attributes.push(JSON.stringify({ income_band: household.incomeBand }));
      fields.add('income_band');
    }
    for (const member of household.members) {
      const personId = randomUUID();
      const dataKey = newDataKey();
      batch.person.id.push(personId);
      batch.person.uin.push(this.drawUin());
      batch.person.region.push(member.stateCode);
      batch.key.wrapped.push(wrapDataKey(this.#masterKey, dataKey, personId));
      batch.version.attributes.push(JSON.stringify(member.plain));
      batch.version.sealed.push(
        seal(dataKey, Buffer.from(JSON.stringify(member.sealed)), {
          table: 'person_version',
          column: 'sealed_attributes',
          recordId: `${personId}:1`,
        }),
      );
      if (member.phone !== '') {
        batch.phoneIndex.personId.push(personId);
        batch.phoneIndex.digest.push(this.phoneDigest(member.phone));
      }
      batch.membership.householdId.push(householdId);
      batch.membership.relationship.push(member.relationship);
      batch.lines.push(member.line);
      for (const name in member.plain) fields.add(name);
      for (const name in member.sealed) fields.add(name);
    }
  }
}
