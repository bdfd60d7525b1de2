import type { PopulationRecord } from '../../demo/population-record.js';
import type { DedupRecord, DedupSchema } from './types.js';

/**
 * The registry's person fields as the duplicate-detection engine sees them. Only
 * attributes stored in the clear, plus the phone's blind-index digest, are compared: a
 * dedup run never decrypts sealed attributes, so the address line is left out.
 * State and municipality are implied by the parish and would count one move three times.
 *
 * @example
 * dedupBatch(records, { schema: registryDedupSchema });
 */
export const registryDedupSchema: DedupSchema = {
  fields: [
    { name: 'given_names', kind: 'given_name' },
    { name: 'first_surname', kind: 'surname' },
    { name: 'second_surname', kind: 'surname' },
    { name: 'sex', kind: 'category' },
    { name: 'birth_date', kind: 'date' },
    { name: 'parish_code', kind: 'category' },
    { name: 'locality', kind: 'text' },
    { name: 'phone_digest', kind: 'digest' },
  ],
};

/**
 * One demo-generator record as an engine record. The phone stands in for its digest:
 * the digest kind compares opaque tokens for equality, so plain digits work the same way.
 *
 * @example
 * toDedupRecord(record).fields.first_surname // 'Torres'
 */
export function toDedupRecord(record: PopulationRecord): DedupRecord {
  return {
    id: record.recordId,
    fields: {
      given_names: record.givenNames,
      first_surname: record.firstSurname,
      second_surname: emptyToNull(record.secondSurname),
      sex: record.sex,
      birth_date: record.birthDate,
      parish_code: emptyToNull(record.parishCode),
      locality: emptyToNull(record.locality),
      phone_digest: emptyToNull(record.phone),
    },
  };
}

function emptyToNull(value: string): string | null {
  return value === '' ? null : value;
}
