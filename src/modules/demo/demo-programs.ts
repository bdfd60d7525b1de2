import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import {
  cycleApprover,
  cycleCreator,
  cyclePublisher,
  type ProgramContent,
  programCreator,
  publicationDecider,
  publicationRequester,
} from '../programs/index.js';

/**
 * The three programs `npm start` seeds on the demo population (issue #13, point 11), each
 * published the way any program is (one program officer asks, a second approves) and with its
 * first cycle computed by the rule, approved and — given `onPublished`, the notices hook the
 * server wires — published by the asking officer, so that entitlements exist to look at and
 * their holders are told (in-kind: where to collect; cash is told when paid). No row is written
 * here: everything goes through the programs module's own services.
 *
 * @example
 *   await seedDemoPrograms(db, { askerId, approverId, referenceDate: '2026-12-01', onPublished });
 */
export interface DemoProgram {
  readonly code: string;
  readonly content: ProgramContent;
}

export const demoPrograms: readonly DemoProgram[] = [
  {
    code: 'caja_alimentos',
    content: {
      nameEs: 'Caja de alimentos',
      nameEn: 'Food box',
      descriptionEs:
        'Una caja de alimentos al mes para cada hogar de los tramos de ingresos 1 y 2.',
      descriptionEn: 'One food box a month for every household in income bands 1 and 2.',
      kind: 'in_kind',
      unit: 'household',
      regions: [],
      cadence: 'monthly',
      benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
      budgetCap: 5_000_000n,
      eligibilityRule: 'income_band <= 2',
    },
  },
  {
    code: 'pension_vejez',
    content: {
      nameEs: 'Pensión de vejez',
      nameEn: 'Old-age pension',
      descriptionEs:
        'Pensión mensual para las mujeres desde los 55 años y los hombres desde los 60.',
      descriptionEn: 'A monthly pension for women from 55 and men from 60.',
      kind: 'cash',
      unit: 'person',
      regions: [],
      cadence: 'monthly',
      benefit: { amountMinor: 130_00n, currency: 'VES' },
      budgetCap: 1_000_000_000_00n,
      eligibilityRule: '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)',
    },
  },
  {
    code: 'bono_madres',
    content: {
      nameEs: 'Bono para madres jefas de hogar',
      nameEn: 'Bonus for mothers heading a household',
      descriptionEs:
        'Un pago único para las mujeres jefas de hogar con al menos un hijo o hija menor de 18 años.',
      descriptionEn: 'A one-off payment for women heading a household with a child under 18.',
      kind: 'cash',
      unit: 'person',
      regions: [],
      cadence: 'once',
      benefit: { amountMinor: 500_00n, currency: 'VES' },
      budgetCap: 1_000_000_000_00n,
      // The head is counted among the household's members: an adult head with at least one
      // member under 18 heads a household with a child.
      eligibilityRule: 'sex == "F" && head_of_household && age >= 18 && members_under_18 >= 1',
    },
  },
];

export interface DemoProgramsSeeded {
  programs: number;
  /** Whether the first cycles were published (their holders told). */
  published: boolean;
  entitlements: bigint;
}

export async function seedDemoPrograms(
  db: Kysely<Database>,
  props: {
    askerId: string;
    approverId: string;
    referenceDate: string;
    /** Publishes each first cycle, telling its holders inside the publication's transaction. */
    onPublished?: (
      trx: Transaction<Database>,
      cycle: { id: string; programId: string },
    ) => Promise<void>;
  },
): Promise<DemoProgramsSeeded> {
  let entitlements = 0n;
  for (const { code, content } of demoPrograms) {
    const { programId, version } = await programCreator(db, {
      code,
      content,
      operatorId: props.askerId,
    });
    const { publicationId } = await publicationRequester(db, {
      programId,
      version,
      operatorId: props.askerId,
    });
    await publicationDecider(db, { publicationId, approve: true, operatorId: props.approverId });
    // Two thousand persons fit in one chunk: the default (sized for a national registry) cut
    // each cycle into 64 transactions, which cost more CPU on first start than the whole import.
    // Opened by the seeding itself (no operator), so both officers may approve it: whoever
    // creates a cycle never approves it.
    const { cycleId, summary } = await cycleCreator(db, {
      chunks: 1,
      programId,
      referenceDate: props.referenceDate,
      operatorId: null,
    });
    // Above the second-approver threshold a cash cycle needs both officers.
    const first = await cycleApprover(db, { cycleId, operatorId: props.approverId });
    const approved =
      first.status === 'approved'
        ? first
        : await cycleApprover(db, { cycleId, operatorId: props.askerId });
    await approved.granting;
    if (props.onPublished !== undefined) {
      await cyclePublisher(db, {
        cycleId,
        operatorId: props.askerId,
        onPublished: props.onPublished,
      });
    }
    entitlements += summary.eligible;
  }
  return {
    programs: demoPrograms.length,
    published: props.onPublished !== undefined,
    entitlements,
  };
}
