import { useTranslation } from 'react-i18next';
import { ApiError, type FieldProblem } from '../api/client.js';
import { refusalText } from '../i18n/refusal-text.js';

/**
 * An error from the API in the reader's language: the `AMP_*` code picks the sentence, the
 * server's English detail is shown only when no translation exists. Field errors that carry a
 * refusal code (a refused import file: "missing column household_id") are listed under it,
 * each said in the reader's language, so the reader learns what to fix. A screen whose field
 * codes only it can read (a refused card's status, a failed second check's reason) passes
 * `fieldText`; what it does not know falls back to the shared refusal texts.
 *
 * @example
 *   {query.error && <ProblemNotice error={query.error} />}
 */
export function ProblemNotice({
  error,
  fieldText,
}: {
  error: unknown;
  fieldText?: (problem: FieldProblem) => string | undefined;
}) {
  const { t } = useTranslation();
  const code = error instanceof ApiError ? error.code : 'AMP_UNKNOWN';
  const fallback = error instanceof Error ? error.message : String(error);
  const reasons =
    error instanceof ApiError
      ? error.fieldProblems
          .filter((problem) => problem.code !== undefined)
          .map((problem) => fieldText?.(problem) ?? refusalText(t, problem))
      : [];
  return (
    <div className="notice notice-error" role="alert">
      <p>{t(`problem.${code}`, { defaultValue: t('problem.generic', { detail: fallback }) })}</p>
      {reasons.length > 0 ? (
        <ul data-testid="problem-reasons">
          {[...new Set(reasons)].map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
