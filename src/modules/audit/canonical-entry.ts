import { isPurpose } from '../../shared/access/actor.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { auditLimits } from './limits.js';

/** Version of the stored entry shape; bumped when a field is added or its meaning changes. */
export const auditEntrySchemaVersion = 1;

/** An entry as stored: the input plus when it happened and the schema version. */
export interface AuditEntryRecord extends AuditEntryInput {
  /** ISO-8601 in UTC with milliseconds, e.g. `2026-11-23T03:05:47.896Z`. */
  readonly time: string;
  readonly v: typeof auditEntrySchemaVersion;
}

/** Thrown when an entry cannot be logged as given; a programming error in the caller. */
export class AuditEntryError extends Error {
  override readonly name = 'AuditEntryError';
}

// Control characters cannot be kept faithfully by PostgreSQL (`\u0000` is refused by jsonb),
// and a lone surrogate has no UTF-8 form: either would make the hashed bytes ambiguous.
const unsafeCharacters = /[\p{Cc}\p{Cs}]/u;
const actorKinds = new Set(['operator', 'citizen', 'system']);
const resourceTypes = new Set([
  'person',
  'household',
  'credential',
  'operator',
  'audit',
  'erasure',
  'program',
  'program_cycle',
  'distribution_point',
  'payout_batch',
  'bank_file',
  'ledger_account',
  'disbursement',
  'statistics_table',
  'payment_adjustment',
  'merchant',
  'payment_request',
  'offline_proof_key',
]);
const outcomes = new Set(['allowed', 'denied']);

/**
 * The canonical text of an entry: JSON with keys sorted at every level and no whitespace, so
 * that one entry has exactly one byte string to hash and authenticate.
 *
 * @example
 * canonicalEntry(input, new Date('2026-11-23T03:05:47.896Z'));
 * // '{"action":"person.read","actor":{…},…,"time":"2026-11-23T03:05:47.896Z","v":1}'
 */
export function canonicalEntry(input: AuditEntryInput, time: Date): string {
  assertEntryInput(input);
  const record: AuditEntryRecord = {
    actor: {
      kind: input.actor.kind,
      id: input.actor.id,
      role: input.actor.role,
      region: input.actor.region,
    },
    action: input.action,
    resource: { type: input.resource.type, id: input.resource.id },
    purpose: input.purpose,
    fields: [...input.fields],
    outcome: input.outcome,
    reasonCode: input.reasonCode,
    requestId: input.requestId,
    time: time.toISOString(),
    v: auditEntrySchemaVersion,
  };
  const text = canonicalJson(record);
  if (Buffer.byteLength(text, 'utf8') > auditLimits.entryBytesMax) {
    throw new AuditEntryError(`audit entry is larger than ${auditLimits.entryBytesMax} bytes`);
  }
  return text;
}

/**
 * JSON with object keys sorted by UTF-16 code unit order and no whitespace. Only plain data
 * (objects, arrays, strings, finite numbers, booleans, null) is accepted.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AuditEntryError('numbers must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const members = keys.map(
      (key) => `${JSON.stringify(key)}:${canonicalJson(Reflect.get(value, key))}`,
    );
    return `{${members.join(',')}}`;
  }
  throw new AuditEntryError(`cannot log a value of type ${typeof value}`);
}

/**
 * Parses stored entry text back into a record, checking its shape. Used by the citizen view;
 * the verifier never needs it (it hashes the text as stored).
 */
export function parseEntry(text: string): AuditEntryRecord {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null)
    throw new AuditEntryError('entry is not an object');
  const time = Reflect.get(value, 'time');
  const version = Reflect.get(value, 'v');
  if (typeof time !== 'string' || version !== auditEntrySchemaVersion) {
    throw new AuditEntryError('entry lacks time or has an unknown schema version');
  }
  // Safe: assertEntryInput below checks every field the type declares.
  const record = value as AuditEntryRecord;
  assertEntryInput(record);
  return record;
}

function assertEntryInput(input: AuditEntryInput): void {
  const { actor, resource } = input;
  if (!actorKinds.has(actor.kind)) throw new AuditEntryError(`unknown actor kind ${actor.kind}`);
  if (!resourceTypes.has(resource.type)) {
    throw new AuditEntryError(`unknown resource type ${resource.type}`);
  }
  if (!outcomes.has(input.outcome)) throw new AuditEntryError(`unknown outcome ${input.outcome}`);
  if (input.purpose !== null && !isPurpose(input.purpose)) {
    throw new AuditEntryError(`unknown purpose ${String(input.purpose)}`);
  }
  if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(input.action)) {
    throw new AuditEntryError(`action must be a dotted verb like person.read, got ${input.action}`);
  }
  if (!Array.isArray(input.fields) || input.fields.length > auditLimits.entryFieldsMax) {
    throw new AuditEntryError(`fields must be an array of at most ${auditLimits.entryFieldsMax}`);
  }
  const strings = [actor.id, actor.role, actor.region, resource.id, input.reasonCode];
  for (const value of [...strings, input.requestId, ...input.fields]) assertSafeString(value);
  if (actor.id === '') throw new AuditEntryError('actor id must not be empty');
}

function assertSafeString(value: unknown): void {
  if (value === null) return;
  if (typeof value !== 'string') throw new AuditEntryError('entry values must be strings or null');
  if (value.length > auditLimits.entryStringLengthMax) {
    throw new AuditEntryError(`entry strings are limited to ${auditLimits.entryStringLengthMax}`);
  }
  if (unsafeCharacters.test(value)) {
    throw new AuditEntryError('entry strings must not hold control characters or lone surrogates');
  }
}
