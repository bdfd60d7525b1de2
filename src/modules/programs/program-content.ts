import type { Insertable, Selectable } from 'kysely';
import { AmparoError, type FieldError } from '../../platform/errors.js';
import { programLimits } from './limits.js';
import { type CheckedRule, checkRule } from './rules/rule-checker.js';
import { planRule } from './rules/rule-plan.js';
import type {
  BasketItem,
  BenefitUnit,
  Cadence,
  Currency,
  ProgramKind,
  ProgramTables,
} from './tables.js';

/**
 * What a program version says: names, benefit, who receives it, where, how often, the budget
 * and the rule. `contentChecker` refuses what the database would refuse, with field errors
 * a person can act on, and type-checks the rule and formula (`AMP_RULE_INVALID`).
 *
 * @example
 *   const content: ProgramContent = {
 *     nameEs: 'Caja de alimentos', nameEn: 'Food box', descriptionEs: '', descriptionEn: '',
 *     kind: 'in_kind', unit: 'household', regions: [], cadence: 'monthly',
 *     benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
 *     budgetCap: 100_000n, eligibilityRule: 'income_band <= 2',
 *   };
 */
export interface ProgramContent {
  nameEs: string;
  nameEn: string;
  descriptionEs: string;
  descriptionEn: string;
  kind: ProgramKind;
  unit: BenefitUnit;
  /** ISO 3166-2:VE states; empty for a national program. */
  regions: readonly string[];
  cadence: Cadence;
  benefit: Benefit;
  /** Per cycle: minor units for cash and voucher, number of benefits for in_kind and service. */
  budgetCap: bigint;
  eligibilityRule: string;
  /**
   * Texts about this version's entitlements may name the program (issue 14, point 4); absent
   * or false, they never do. Kept in `program_text_naming` (migration 0039).
   */
  nameInTexts?: boolean;
}

export type Benefit =
  | { basket: readonly BasketItem[] }
  | { amountMinor: bigint; currency: Currency }
  | { formula: string; currency: Currency };

export interface CheckedContent {
  readonly content: ProgramContent;
  readonly rule: CheckedRule;
  readonly formula: CheckedRule | undefined;
}

const regionPattern = /^VE-[A-Z]$/;
const wordPattern = /^[a-z][a-z0-9_]{0,39}$/;

export function checkContent(content: ProgramContent): CheckedContent {
  const errors = [...textErrors(content), ...benefitErrors(content)];
  if (content.regions.length > programLimits.regionsMax) {
    errors.push({ field: '/regions', reason: `at most ${programLimits.regionsMax} states` });
  }
  content.regions.forEach((region, index) => {
    if (!regionPattern.test(region)) {
      errors.push({ field: `/regions/${index}`, reason: 'not an ISO 3166-2:VE state code' });
    }
  });
  if (new Set(content.regions).size !== content.regions.length) {
    errors.push({ field: '/regions', reason: 'a state is named twice' });
  }
  if (content.budgetCap <= 0n || content.budgetCap > programLimits.amountMinorMax) {
    errors.push({ field: '/budgetCap', reason: `between 1 and ${programLimits.amountMinorMax}` });
  }
  if (errors.length > 0) throw new AmparoError('AMP_VALIDATION', { errors });
  const rule = checkRule(content.eligibilityRule, 'bool', '/eligibilityRule');
  const formula =
    'formula' in content.benefit
      ? checkRule(content.benefit.formula, 'int', '/benefit/formula')
      : undefined;
  return { content, rule, formula };
}

function textErrors(content: ProgramContent): FieldError[] {
  const errors: FieldError[] = [];
  const texts: Array<[string, string, number, number]> = [
    ['/nameEs', content.nameEs, 1, programLimits.nameLengthMax],
    ['/nameEn', content.nameEn, 1, programLimits.nameLengthMax],
    ['/descriptionEs', content.descriptionEs, 0, programLimits.descriptionLengthMax],
    ['/descriptionEn', content.descriptionEn, 0, programLimits.descriptionLengthMax],
  ];
  for (const [field, text, min, max] of texts) {
    if (text.trim().length < min || text.length > max) {
      errors.push({ field, reason: `between ${min} and ${max} characters` });
    }
  }
  if (content.nameInTexts === true) {
    for (const [field, name] of [
      ['/nameEs', content.nameEs],
      ['/nameEn', content.nameEn],
    ] as const) {
      if (!textNamePattern.test(name)) {
        errors.push({
          field,
          reason: "to be named in texts: at most 40 letters, digits, spaces and .,'()-",
        });
      }
    }
  }
  return errors;
}

/** A program name a text can carry (the `program` kind of the notifications templates). */
const textNamePattern = /^[\p{L}\p{N} .,'()-]{1,40}$/u;

function benefitErrors(content: ProgramContent): FieldError[] {
  const { benefit, kind } = content;
  const money = kind === 'cash' || kind === 'voucher';
  if (money === 'basket' in benefit) {
    return [
      {
        field: '/benefit',
        reason: money ? 'cash and vouchers give an amount' : 'in-kind and services give a basket',
      },
    ];
  }
  if ('basket' in benefit) return basketErrors(benefit.basket);
  if ('amountMinor' in benefit) {
    const { amountMinor } = benefit;
    return amountMinor <= 0n || amountMinor > programLimits.amountMinorMax
      ? [{ field: '/benefit/amountMinor', reason: `between 1 and ${programLimits.amountMinorMax}` }]
      : [];
  }
  return [];
}

function basketErrors(basket: readonly BasketItem[]): FieldError[] {
  const errors: FieldError[] = [];
  if (basket.length === 0 || basket.length > programLimits.basketItemsMax) {
    errors.push({
      field: '/benefit/basket',
      reason: `between 1 and ${programLimits.basketItemsMax} items`,
    });
  }
  basket.forEach((line, index) => {
    const max = programLimits.basketQuantityMax;
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > max) {
      errors.push({
        field: `/benefit/basket/${index}/quantity`,
        reason: `a whole number 1–${max}`,
      });
    }
    for (const key of ['item', 'unit'] as const) {
      if (!wordPattern.test(line[key])) {
        errors.push({
          field: `/benefit/basket/${index}/${key}`,
          reason: 'lower-case letters, digits and underscores, up to 40',
        });
      }
    }
  });
  return errors;
}

/** The row of `program_version` for checked content. */
export function versionRow(
  checked: CheckedContent,
  programId: string,
  version: number,
  createdBy: string | null,
): Insertable<ProgramTables['program_version']> {
  const { content } = checked;
  const { benefit } = content;
  return {
    program_id: programId,
    version,
    name_es: content.nameEs,
    name_en: content.nameEn,
    description_es: content.descriptionEs,
    description_en: content.descriptionEn,
    kind: content.kind,
    unit: content.unit,
    regions: [...content.regions],
    cadence: content.cadence,
    benefit_basket: 'basket' in benefit ? JSON.stringify(benefit.basket) : null,
    benefit_amount_minor: 'amountMinor' in benefit ? benefit.amountMinor : null,
    benefit_formula: 'formula' in benefit ? benefit.formula : null,
    currency: 'currency' in benefit ? benefit.currency : null,
    budget_cap: content.budgetCap,
    eligibility_rule: content.eligibilityRule,
    rule_plan: JSON.stringify(planRule(checked.rule).described),
    created_by: createdBy,
  };
}

/** The content a stored version says; `nameInTexts` when it has a `program_text_naming` row. */
export function contentOf(
  row: Selectable<ProgramTables['program_version']>,
  nameInTexts = false,
): ProgramContent {
  return {
    ...(nameInTexts ? { nameInTexts: true } : {}),
    nameEs: row.name_es,
    nameEn: row.name_en,
    descriptionEs: row.description_es,
    descriptionEn: row.description_en,
    kind: row.kind,
    unit: row.unit,
    regions: row.regions,
    cadence: row.cadence,
    benefit: benefitOf(row),
    budgetCap: row.budget_cap,
    eligibilityRule: row.eligibility_rule,
  };
}

function benefitOf(row: Selectable<ProgramTables['program_version']>): Benefit {
  if (row.benefit_basket !== null) return { basket: row.benefit_basket };
  // Safe: the migration's checks guarantee a currency with every amount or formula.
  const currency = row.currency as Currency;
  if (row.benefit_amount_minor !== null) return { amountMinor: row.benefit_amount_minor, currency };
  return { formula: row.benefit_formula ?? '', currency };
}
