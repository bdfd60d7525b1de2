import type { TFunction } from 'i18next';
import { secondCheckRefusalCodes } from '../../../../src/shared/api/distribution.js';
import { type VerdictStatus, verdictStatuses } from '../../../../src/shared/claim169/verdict.js';
import type { FieldProblem } from '../../api/client.js';

/**
 * A refused card or a failed second check in the operator's language. The server says why as
 * a field problem's `code`: a refused card carries the verifier's status (`revoked`,
 * `expired`, `invalid-signature`, …, or `unknown-credential` for a card this registry never
 * recorded), a failed check its reason (`wrong_code`, `not_household`, …). The same word can
 * mean two things — `expired` is the texted code's expiry in a phone check and the card's in a
 * household-card check — so the check's method picks the sentence. An unknown code answers
 * undefined, and the caller keeps the server's sentence.
 *
 * @example
 *   <ProblemNotice error={check.error} fieldText={(problem) =>
 *     secondCheckRefusalText(t, problem, 'household_card')} />
 */
type CardStatus = Exclude<VerdictStatus, 'valid'> | 'unknown-credential';

const cardStatuses: ReadonlySet<string> = new Set<string>([
  ...verdictStatuses.filter((status) => status !== 'valid'),
  'unknown-credential',
]);

function isCardStatus(code: string | undefined): code is CardStatus {
  return code !== undefined && cardStatuses.has(code);
}

/** What happened to the card, in words for the person at the screen. */
function cardText(t: TFunction, status: CardStatus): string {
  return status === 'unknown-credential'
    ? t('checkRefusal.unknownCredential')
    : t(`verifier.explain.${status}`);
}

/** A card scanned at a point and refused: why, then the way without the card. */
export function cardRefusalText(t: TFunction, problem: FieldProblem): string | undefined {
  if (problem.field !== '/qrText' || !isCardStatus(problem.code)) return undefined;
  return `${cardText(t, problem.code)} ${t('checkRefusal.cardNext', { assisted: t('pos.mode.assisted') })}`;
}

/**
 * A redemption without the card refused at its second check: the reason, read for the check's
 * method (`phone_code`, …) when the screen knows it.
 */
export function secondCheckRefusalText(
  t: TFunction,
  problem: FieldProblem,
  method?: string,
): string | undefined {
  const { code } = problem;
  if (method === 'household_card' && isCardStatus(code)) {
    return t('checkRefusal.memberCard', { reason: cardText(t, code) });
  }
  const known: readonly string[] = secondCheckRefusalCodes;
  if (code === undefined || !known.includes(code)) return undefined;
  return t(`checkRefusal.check.${code}`, { card: t('pos.mode.card') });
}
