import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { approvedCycle, publishedProgram } from '../programs/programs-test-kit.js';

/**
 * A published cash program (everyone of age, `amountMinor` VES each) and its approved cycle:
 * the open cash entitlements a disbursement pays. Persons come from the caller.
 */
export async function cashCycle(
  db: Kysely<Database>,
  props: { code: string; amountMinor: bigint; referenceDate?: string },
): Promise<{ programId: string; cycleId: string }> {
  const { programId } = await publishedProgram(db, {
    code: props.code,
    content: {
      nameEs: 'Bono',
      nameEn: 'Bonus',
      descriptionEs: '',
      descriptionEn: '',
      kind: 'cash',
      unit: 'person',
      regions: [],
      cadence: 'once',
      benefit: { amountMinor: props.amountMinor, currency: 'VES' },
      budgetCap: 1_000_000_000_00n,
      eligibilityRule: 'age >= 18',
    },
  });
  const { cycleId } = await approvedCycle(db, programId, props.referenceDate);
  return { programId, cycleId };
}
