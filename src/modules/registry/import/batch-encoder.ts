import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';
import { sealedAttributesAssociatedData } from '../persons/sealed-attributes.js';
import {
  type NameSearchKeys,
  nameSearchKeys,
  searchNameAttributes,
} from '../search/search-keys.js';
import { generateUin } from '../uin/index.js';
import { hexArrayLiteral, plainArrayLiteral, textArrayLiteral } from './array-literal.js';
import type { ClosedHousehold } from './household-grouper.js';
import { RandomPool } from './random-pool.js';

/**
 * Turns a batch of households into one array literal per column (see array-literal.ts):
 * fresh ids (time-ordered UUIDs, see `RandomPool.uuidV7`), UINs, a data key per person (wrapped by the master key), sealed sensitive
 * attributes, the phone blind index and the name search keys. This is where the import spends
 * its CPU, so it runs in the import workers, draws its random bytes in blocks and derives the
 * blind-index key once.
 *
 * @example
 *   const encoder = new BatchEncoder(masterKey);
 *   const batch = encoder.encode(households);
 *   batch.uin.length; // persons in the batch
 */
export interface EncodedBatch {
  readonly firstLine: number;
  readonly lastLine: number;
  /** Per person, in batch order: what the writer needs to check and redraw UINs. */
  readonly personId: string[];
  readonly uin: string[];
  readonly region: string[];
  readonly households: number;
  readonly householdVersions: number;
  readonly phones: number;
  /** One PostgreSQL array literal per column, ready to be cast in the insert statements. */
  readonly literals: BatchLiterals;
  /** Catalogue attribute names written, for the audit entry. */
  readonly fields: readonly string[];
}

export interface BatchLiterals {
  readonly personId: string;
  readonly region: string;
  readonly wrappedKey: string;
  /** A JSON array of the persons' plain attributes (no array-literal escaping needed). */
  readonly attributes: string;
  readonly sealed: string;
  readonly phonePersonId: string;
  readonly phoneDigest: string;
  readonly householdId: string;
  readonly householdRegion: string;
  readonly householdVersionId: string;
  readonly householdVersionAttributes: string;
  readonly membershipHouseholdId: string;
  readonly relationship: string;
  readonly lines: string;
  /** Per person, the text of a text[] literal of its search keys (cast per row). */
  readonly searchKeys: string;
  readonly searchTokens: string;
}

const phoneIndexKind = 'phone';
const sealFormatVersion = '01';
const dataKeyBytes = 32;
const ivBytes = 12;
/** Distinct names whose search keys a worker remembers (the cache is emptied when full). */
const nameKeysCachedMax = 100_000;

/** The columns of a batch while it is being filled. */
interface Columns {
  personId: string[];
  uin: string[];
  region: string[];
  wrappedKey: string[];
  attributes: string[];
  sealed: string[];
  phonePersonId: string[];
  phoneDigest: string[];
  householdId: string[];
  householdRegion: string[];
  householdVersionId: string[];
  householdVersionAttributes: string[];
  membershipHouseholdId: string[];
  relationship: string[];
  lines: number[];
  searchKeys: string[];
  searchTokens: string[];
  fields: Set<string>;
}

export class BatchEncoder {
  readonly #masterKey: Buffer;
  readonly #phoneIndexKey: Buffer;
  readonly #random = new RandomPool();
  readonly #nameKeys = new Map<string, NameSearchKeys>();

  constructor(masterKey: Buffer) {
    this.#masterKey = Buffer.from(masterKey);
    // The key `blindIndex()` in platform/crypto/envelope.ts derives on every call; derived
    // once here (a test checks both give the same digest).
    this.#phoneIndexKey = Buffer.from(
      hkdfSync('sha256', masterKey, Buffer.alloc(0), `amparo blind index ${phoneIndexKind}`, 32),
    );
  }

  /** A fresh UIN (the generator's rules), each digit drawn uniformly from the pool. */
  drawUin(): string {
    return generateUin(this.#random.int);
  }

  phoneDigest(phone: string): Buffer {
    return createHmac('sha256', this.#phoneIndexKey).update(phone, 'utf8').digest().subarray(0, 16);
  }

  encode(households: readonly ClosedHousehold[]): EncodedBatch {
    const first = households[0];
    const last = households[households.length - 1];
    if (first === undefined || last === undefined)
      throw new Error('an import batch is never empty');
    const columns = emptyColumns();
    for (const household of households) this.#encodeHousehold(household, columns);
    return {
      firstLine: first.firstLine,
      lastLine: last.lastLine,
      personId: columns.personId,
      uin: columns.uin,
      region: columns.region,
      households: columns.householdId.length,
      householdVersions: columns.householdVersionId.length,
      phones: columns.phonePersonId.length,
      literals: literalsOf(columns),
      fields: [...columns.fields].sort(),
    };
  }

  #encodeHousehold(household: ClosedHousehold, columns: Columns): void {
    const householdId = this.#random.uuidV7(Date.now());
    columns.householdId.push(householdId);
    columns.householdRegion.push(household.regionCode);
    if (household.incomeBand !== null) {
      columns.householdVersionId.push(householdId);
      columns.householdVersionAttributes.push(
        JSON.stringify({ income_band: household.incomeBand }),
      );
      columns.fields.add('income_band');
    }
    for (const member of household.members) {
      const personId = this.#random.uuidV7(Date.now());
      const dataKey = this.#random.bytes(dataKeyBytes);
      columns.personId.push(personId);
      columns.uin.push(this.drawUin());
      columns.region.push(member.stateCode);
      columns.wrappedKey.push(
        this.#sealHex(this.#masterKey, dataKey, `person_key|wrapped_key|${personId}`),
      );
      columns.attributes.push(JSON.stringify(member.plain));
      columns.sealed.push(
        this.#sealHex(
          dataKey,
          Buffer.from(JSON.stringify(member.sealed)),
          sealedAttributesAssociatedData(personId, 1),
        ),
      );
      if (member.phone !== '') {
        columns.phonePersonId.push(personId);
        columns.phoneDigest.push(this.phoneDigest(member.phone).toString('hex'));
      }
      columns.membershipHouseholdId.push(householdId);
      columns.relationship.push(member.relationship);
      columns.lines.push(member.line);
      const search = this.#searchKeys(member.plain);
      columns.searchKeys.push(textArrayLiteral(search.keys));
      columns.searchTokens.push(textArrayLiteral(search.tokens));
      for (const name in member.plain) columns.fields.add(name);
      for (const name in member.sealed) columns.fields.add(name);
    }
  }

  /**
   * `nameSearchKeys(attributes)`, with each name's keys remembered: names repeat a great deal
   * in a registry (a few thousand surnames cover most people), and normalising them is a
   * tenth of the encoding time. The same tokens and keys, in the same order.
   */
  #searchKeys(attributes: Readonly<Record<string, unknown>>): NameSearchKeys {
    const tokens: string[] = [];
    const keys = new Set<string>();
    for (const name of searchNameAttributes) {
      const value = attributes[name];
      if (typeof value !== 'string') continue;
      let known = this.#nameKeys.get(value);
      if (known === undefined) {
        known = nameSearchKeys({ given_names: value });
        if (this.#nameKeys.size >= nameKeysCachedMax) this.#nameKeys.clear();
        this.#nameKeys.set(value, known);
      }
      tokens.push(...known.tokens);
      for (const key of known.keys) keys.add(key);
    }
    return { keys: [...keys], tokens };
  }

  /**
   * `seal()` of platform/crypto/envelope.ts, written straight to hex: the same layout
   * (version ‖ IV ‖ tag ‖ ciphertext) and associated data (`table|column|record id`), so
   * `open()` reads it; a test checks that. The IV comes from the pool.
   */
  #sealHex(key: Buffer, plaintext: Buffer, associatedData: string): string {
    const iv = this.#random.bytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const head = cipher.update(plaintext);
    const tail = cipher.final();
    const ciphertext = tail.length === 0 ? head : Buffer.concat([head, tail]);
    return `${sealFormatVersion}${iv.toString('hex')}${cipher.getAuthTag().toString('hex')}${ciphertext.toString('hex')}`;
  }
}

function emptyColumns(): Columns {
  return {
    personId: [],
    uin: [],
    region: [],
    wrappedKey: [],
    attributes: [],
    sealed: [],
    phonePersonId: [],
    phoneDigest: [],
    householdId: [],
    householdRegion: [],
    householdVersionId: [],
    householdVersionAttributes: [],
    membershipHouseholdId: [],
    relationship: [],
    lines: [],
    searchKeys: [],
    searchTokens: [],
    fields: new Set(),
  };
}

function literalsOf(columns: Columns): BatchLiterals {
  return {
    personId: plainArrayLiteral(columns.personId),
    region: textArrayLiteral(columns.region),
    wrappedKey: hexArrayLiteral(columns.wrappedKey),
    attributes: `[${columns.attributes.join(',')}]`,
    sealed: hexArrayLiteral(columns.sealed),
    phonePersonId: plainArrayLiteral(columns.phonePersonId),
    phoneDigest: hexArrayLiteral(columns.phoneDigest),
    householdId: plainArrayLiteral(columns.householdId),
    householdRegion: textArrayLiteral(columns.householdRegion),
    householdVersionId: plainArrayLiteral(columns.householdVersionId),
    householdVersionAttributes: textArrayLiteral(columns.householdVersionAttributes),
    membershipHouseholdId: plainArrayLiteral(columns.membershipHouseholdId),
    relationship: textArrayLiteral(columns.relationship),
    lines: plainArrayLiteral(columns.lines),
    searchKeys: textArrayLiteral(columns.searchKeys),
    searchTokens: textArrayLiteral(columns.searchTokens),
  };
}
