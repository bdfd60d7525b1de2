import type { TFunction } from 'i18next';
import { divisionName } from '../../geography/divisions.js';

/**
 * How a program's parts read in the console, shared by the public page, the editor and the
 * cycle page: the benefit ("1 box of food_box", "Bs. 1.300,00 each", "by formula …"), the
 * states or "national", and money in minor units as the currency's own format.
 *
 * @example
 *   moneyText('13000000', 'VES', 'es'); // 'Bs. 130.000,00'
 */
export interface BenefitWords {
  basket?: Array<{ item: string; quantity: number; unit: string; carryOver?: boolean }> | undefined;
  amountMinor?: string | undefined;
  formula?: string | undefined;
  currency?: string | undefined;
}

export function moneyText(minor: string, currency: string | null | undefined, language: string) {
  const locale = language === 'en' ? 'en-GB' : 'es-VE';
  // Minor units are cents in both VES and USD; BigInt keeps amounts past 2^53 exact.
  const whole = BigInt(minor);
  const units = `${whole / 100n}.${String(whole % 100n).padStart(2, '0')}`;
  if (!currency) return new Intl.NumberFormat(locale).format(Number(units));
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
    // Intl takes a decimal string exactly (ES2023); older engines round a very large amount.
    units as unknown as number,
  );
}

export function benefitText(t: TFunction, benefit: BenefitWords, language: string): string {
  if (benefit.basket) {
    return benefit.basket
      .map((line) => {
        const text = t('programs.basketLine', {
          quantity: line.quantity,
          unit: line.unit,
          item: line.item,
        });
        return line.carryOver === true ? `${text} ${t('basketCarryOver.shown')}` : text;
      })
      .join('; ');
  }
  if (benefit.amountMinor !== undefined) {
    return t('programs.fixedAmount', {
      amount: moneyText(benefit.amountMinor, benefit.currency, language),
    });
  }
  return t('programs.byFormula', {
    formula: benefit.formula ?? '',
    currency: benefit.currency ?? '',
  });
}

export function regionsText(t: TFunction, regions: readonly string[]): string {
  return regions.length === 0 ? t('programs.national') : regions.map(divisionName).join(', ');
}
