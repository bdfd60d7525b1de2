import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { auditLogSize } from './audit-repository.js';
import { readWitnessFile } from './witness.js';

/** What the start-up comparison of the log with the witness file found. */
export type WitnessStartCheck =
  | { state: 'no_witness' }
  | { state: 'consistent_length'; logEntries: number; witnessedTreeSize: number }
  | { state: 'rolled_back'; logEntries: number; witnessedTreeSize: number };

/**
 * A cheap look at start-up, so a rollback is not left for the next `amparo audit verify` to
 * find: the log must hold more entries than the witness file's largest head (each head is
 * followed by the entry recording it). Only the length is compared; the full check (roots,
 * consistency proof) is verify's. A shorter log raises `audit_log_rolled_back` for auditors;
 * the server still starts (refusing would also refuse the auditors who must look into it).
 *
 * @example
 *   await checkLogAgainstWitness(db, '/mnt/witness/amparo.jsonl', (details) => raise(details));
 */
export async function checkLogAgainstWitness(
  db: Kysely<Database>,
  witnessFile: string | undefined,
  raiseAlert: (details: Record<string, unknown>) => Promise<void>,
): Promise<WitnessStartCheck> {
  if (witnessFile === undefined) return { state: 'no_witness' };
  const { largest } = await readWitnessFile(witnessFile);
  if (largest === undefined) return { state: 'no_witness' };
  const logEntries = await auditLogSize(db);
  const witnessedTreeSize = largest.treeSize;
  if (logEntries > witnessedTreeSize) {
    return { state: 'consistent_length', logEntries, witnessedTreeSize };
  }
  await raiseAlert({ logEntries, witnessedTreeSize, witnessedRootHash: largest.rootHash });
  return { state: 'rolled_back', logEntries, witnessedTreeSize };
}
