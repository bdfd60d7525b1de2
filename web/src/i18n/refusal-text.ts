import type { TFunction } from 'i18next';
import { isRefusalCode } from '../../../src/shared/import/refusals.js';

/**
 * A refusal from the server in the operator's language: its code and parameters pick the
 * sentence (`refusal.<code>`); a refusal without a known code keeps the server's sentence.
 *
 * @example
 *   refusalText(t, { reason: 'must be one of F, M', code: 'one_of', params: { values: 'F, M' } });
 *   // 'debe ser uno de: F, M' in the Spanish console
 */
export function refusalText(
  t: TFunction,
  refusal: { reason?: string; code?: string; params?: Readonly<Record<string, string | number>> },
): string {
  if (refusal.code !== undefined && isRefusalCode(refusal.code)) {
    return t(`refusal.${refusal.code}`, { ...refusal.params });
  }
  return refusal.reason ?? refusal.code ?? '';
}
