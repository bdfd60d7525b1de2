import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

/**
 * An error from the API in the reader's language: the `AMP_*` code picks the sentence, the
 * server's English detail is shown only when no translation exists.
 *
 * @example
 *   {query.error && <ProblemNotice error={query.error} />}
 */
export function ProblemNotice({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const code = error instanceof ApiError ? error.code : 'AMP_UNKNOWN';
  const fallback = error instanceof Error ? error.message : String(error);
  return (
    <p className="notice notice-error" role="alert">
      {t(`problem.${code}`, { defaultValue: t('problem.generic', { detail: fallback }) })}
    </p>
  );
}
