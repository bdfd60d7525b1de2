import type { PopulationRecord } from '../import/population-record.js';
import type { DedupRecord, DedupSchema } from './types.js';

/**
 * The registry's person fields as the duplicate-detection engine sees them. Only
 * attributes stored in the clear, plus the phone's blind-index digest, are compared: a
 * dedup run never decrypts sealed attributes, so the address line is left out.
 * Places are left out too: a household shares its parish, locality and address, so under
 * the independence assumption of Fellegi–Sunter a shared place adds the same family
 * evidence as shared surnames a second time, and siblings scored as one person (measured
 * on the demo population: precision 0.80 with the parish, see README).
 *
 * @example
 * dedupBatch(records, { schema: registryDedupSchema });
 */
export const registryDedupSchema: DedupSchema = {
  fields: [
    { name: 'given_names', kind: 'given_name' },
    { name: 'first_surname', kind: 'surname', termFrequency: false },
    { name: 'second_surname', kind: 'surname', termFrequency: false },
    { name: 'sex', kind: 'category' },
    { name: 'birth_date', kind: 'date' },
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
      phone_digest: emptyToNull(record.phone),
    },
  };
}

function emptyToNull(value: string): string | null {
  return value === '' ? null : value;
}
