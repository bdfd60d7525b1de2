import type { CoverageGroup, PaymentGroup } from '../read-models.js';
import { flatDimension } from '../tables/dimensions.js';
import type { AmountCube } from './amount-protection.js';
import type { Cube, PublishedTable } from './published-table.js';

/**
 * The payments tables (issue #17, point 2): persons paid and amounts paid by program and the
 * month a disbursement started, one amounts table per currency (amounts in two currencies do
 * not add up). Built from the payments module's disbursements and the programs module's
 * cycles (for each cycle's program). Amounts are protected by the frequency and the p %
 * dominance rules (`amount-protection.ts`) and published in major units, rounded.
 */
const levels = {
  program: { dimension: 'program', depth: 1 },
  month: { dimension: 'month', depth: 1 },
} as const;

function programCodes(coverage: readonly CoverageGroup[]): Map<string, string> {
  return new Map(coverage.map((group) => [group.cycleId, group.programCode]));
}

function dimensionsOf(groups: readonly PaymentGroup[], programOf: Map<string, string>) {
  const programs = [...new Set(groups.map((g) => programOf.get(g.cycleId) ?? 'unknown'))].sort();
  const months = [...new Set(groups.map((g) => g.month))].sort();
  return [flatDimension('program', programs), flatDimension('month', months)];
}

function payeesTable(): PublishedTable {
  return {
    code: 'payees_by_program_month',
    public: true,
    title: { es: 'Personas pagadas por programa y mes', en: 'Persons paid by program and month' },
    definition: {
      es: 'Personas a las que se acreditó un pago en efectivo de un programa, por programa y mes en que empezó el desembolso. Celdas de 1 a 9 y las necesarias para que no se deduzcan se ocultan; el resto se redondea a 5.',
      en: 'Persons credited a cash payment of a program, by program and the month the disbursement started. Cells from 1 to 9, and those needed so they cannot be derived, are withheld; the rest are rounded to 5.',
    },
    levels,
    breakdowns: [{ program: 1, month: 1 }],
    async build(models, db): Promise<Cube | null> {
      if (models.payments === undefined) return null;
      const groups = await models.payments(db);
      const programOf = programCodes(await models.coverage(db));
      return {
        dimensions: dimensionsOf(groups, programOf),
        leafCounts: groups.map((group) => ({
          key: [programOf.get(group.cycleId) ?? 'unknown', group.month],
          count: group.payees,
        })),
      };
    },
  };
}

function amountsTable(currency: 'VES' | 'USD'): PublishedTable {
  return {
    code: `paid_${currency.toLowerCase()}_by_program_month`,
    public: true,
    title: {
      es: `Montos pagados en ${currency} por programa y mes`,
      en: `Amounts paid in ${currency} by program and month`,
    },
    definition: {
      es: `Suma de los pagos en efectivo acreditados en ${currency}, en unidades, por programa y mes en que empezó el desembolso. Se oculta un monto pagado a menos de 10 personas o en el que el mayor pago podría estimarse con un 10 % de error a partir del segundo (regla p %), y los necesarios para que no se deduzcan; el resto se redondea a múltiplos de 1.000.`,
      en: `The cash payments credited in ${currency}, in units, by program and the month the disbursement started. An amount paid to fewer than 10 persons, or whose largest payment the second largest payee could estimate to within 10 % (the p % rule), is withheld, with those needed so it cannot be derived; the rest are rounded to multiples of 1,000.`,
    },
    levels,
    breakdowns: [{ program: 1, month: 1 }],
    async build(models, db): Promise<Cube | null> {
      if (models.payments === undefined) return null;
      const groups = (await models.payments(db)).filter((group) => group.currency === currency);
      if (groups.length === 0) return null;
      const programOf = programCodes(await models.coverage(db));
      const amounts: AmountCube['leaves'] = groups.map((group) => ({
        key: [programOf.get(group.cycleId) ?? 'unknown', group.month],
        payees: group.payees,
        amount: Number(group.amountMinor / 100n),
        ...(group.largestMinor === undefined
          ? {}
          : { largest: group.largestMinor.map((minor) => Number(minor / 100n)) }),
      }));
      const dimensions = dimensionsOf(groups, programOf);
      return {
        dimensions,
        leafCounts: amounts.map((leaf) => ({ key: leaf.key, count: leaf.payees })),
        amounts: { dimensions, leaves: amounts },
      };
    },
  };
}

export const paymentTables: readonly PublishedTable[] = [
  payeesTable(),
  amountsTable('VES'),
  amountsTable('USD'),
];
