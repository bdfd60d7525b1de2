import { statisticsStockKinds } from '../../../shared/statistics/aggregate-groups.js';
import type { Dimension } from '../disclosure/linked-table.js';
import { statisticsLimits } from '../limits.js';
import type { StockGroup } from '../read-models.js';
import { flatDimension, regionDimension } from '../tables/dimensions.js';
import type { AmountCube } from './amount-protection.js';
import type { Cube, PublishedTable } from './published-table.js';

/**
 * Stock moved by point (issue #17, point 2): units of each item delivered, redeemed,
 * transferred and adjusted, by the point (under its state), kind of movement and month, from
 * the distribution module's stock ledger aggregate. Points are places, not people, but a
 * point's redemptions in a month can be a handful of persons, so the cells are protected like
 * amounts (`amount-protection.ts`): withheld when fewer than 10 movements make them or when
 * the two largest movements leave under p % of the largest to the rest, with the complements
 * that keep them from being derived from the state and country totals; the rest rounded to
 * 10 units. Units of different items do not add up, so the item is always shown.
 */
export const stockKinds = statisticsStockKinds;

function stateOfPoint(group: StockGroup, states: ReadonlySet<string>): string {
  return states.has(group.stateCode) ? group.stateCode : 'VE-unknown';
}

/** A point's key names its state (`VE-A/caracas-01`): a reader can place it without the tree. */
function pointKey(group: StockGroup, states: ReadonlySet<string>): string {
  return `${stateOfPoint(group, states)}/${group.pointCode}`;
}

/** VE → states → points (a point under its state; an unknown state under VE). */
function pointDimension(groups: readonly StockGroup[]): Dimension {
  const base = regionDimension('state');
  const states = new Set(base.nodes.map((node) => node.code));
  const nodes = [...base.nodes, { code: 'VE-unknown', parent: 'VE' }];
  const seen = new Set<string>();
  for (const group of [...groups].sort((a, b) => a.pointCode.localeCompare(b.pointCode))) {
    if (seen.has(group.pointCode)) continue;
    seen.add(group.pointCode);
    nodes.push({ code: pointKey(group, states), parent: stateOfPoint(group, states) });
  }
  return { name: 'region', nodes };
}

export function stockTable(): PublishedTable {
  return {
    code: 'stock_moved_by_point_month',
    public: true,
    title: {
      es: 'Existencias movidas por punto de entrega',
      en: 'Stock moved by distribution point',
    },
    definition: {
      es: 'Unidades de cada artículo entregadas al punto, canjeadas, trasladadas y ajustadas, por punto (dentro de su estado), tipo de movimiento y mes. Se oculta una celda hecha de menos de 10 movimientos o en la que el mayor movimiento podría estimarse con un 10 % de error a partir del segundo (regla p %), y las necesarias para que no se deduzcan; el resto se redondea a múltiplos de 10.',
      en: 'Units of each item delivered to the point, redeemed, transferred and adjusted, by point (under its state), kind of movement and month. A cell made of fewer than 10 movements, or whose largest movement the second largest could estimate to within 10 % (the p % rule), is withheld, with those needed so it cannot be derived; the rest are rounded to multiples of 10.',
    },
    levels: {
      'region.state': { dimension: 'region', depth: 1 },
      'region.point': { dimension: 'region', depth: 2 },
      item: { dimension: 'item', depth: 1 },
      kind: { dimension: 'kind', depth: 1 },
      month: { dimension: 'month', depth: 1 },
    },
    breakdowns: [{ region: 2, item: 1, kind: 1, month: 1 }],
    withoutTotal: ['item'],
    async build(models, db): Promise<Cube | null> {
      if (models.stock === undefined) return null;
      const groups = await models.stock(db);
      const region = pointDimension(groups);
      const states = new Set(regionDimension('state').nodes.map((node) => node.code));
      const items = [...new Set(groups.map((group) => group.item))].sort();
      const months = [...new Set(groups.map((group) => group.month))].sort();
      const dimensions = [
        region,
        flatDimension('item', items),
        flatDimension('kind', stockKinds),
        flatDimension('month', months),
      ];
      const leaves: AmountCube['leaves'] = groups.map((group) => ({
        key: [pointKey(group, states), group.item, group.kind, group.month],
        payees: group.movements,
        amount: group.units,
        largest: [...group.largest],
      }));
      return {
        dimensions,
        leafCounts: leaves.map((leaf) => ({ key: leaf.key, count: leaf.payees })),
        amounts: { dimensions, leaves, roundingBase: statisticsLimits.stockRoundingBase },
      };
    },
  };
}
