import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { PersonEntitlementHold } from '../../../../src/shared/api/entitlement-holds.js';
import { apiGet, withQuery } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { HoldObjection } from '../holds/hold-objection.js';
import { myBenefitsQuery } from './my-benefits.js';

/**
 * The holds a supervisor placed on the person's entitlements (docs/DISTRIBUTION.md, "Holds";
 * `person.benefits`, purpose `self`): the program, the reason in words, when it was placed and
 * when it ends, and their objection to it (or the form to object to one in force). The
 * supervisor's note is never sent here, so it cannot be shown. Nothing when no entitlement of
 * theirs was ever held.
 *
 * @example
 *   <MyHolds personId={person.id} />
 */
export function MyHolds({ personId }: { personId: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const format = useFormat();
  const holds = useQuery({
    queryKey: ['my-holds', personId],
    queryFn: () =>
      apiGet<{ holds: PersonEntitlementHold[] }>(
        withQuery(`/api/persons/${personId}/entitlement-holds`, { purpose: 'self' }),
      ),
  });
  // The program's name in the reader's language, from the benefits the page reads anyway.
  const benefits = useQuery(myBenefitsQuery(personId));
  const nameOf = (code: string) =>
    benefits.data?.benefits.find((line) => line.code === code)?.name[language] ?? code;
  if (holds.error) return <ProblemNotice error={holds.error} />;
  if (!holds.data || holds.data.holds.length === 0) return null;
  return (
    <section aria-labelledby="my-holds-heading">
      <h3 id="my-holds-heading">{t('citizen.holds.title')}</h3>
      <p className="hint">{t('citizen.holds.explain')}</p>
      <ul className="benefit-list" data-testid="my-holds">
        {holds.data.holds.map((hold) => (
          <li key={hold.holdId} data-status={hold.status}>
            <h4>{nameOf(hold.programCode)}</h4>
            <p>
              <strong>{t(`citizen.holds.status.${hold.status}`)}</strong>
              {' · '}
              {t('citizen.holds.reason', { reason: t(`holdReason.${hold.reason}`) })}
            </p>
            <p>
              {t('citizen.holds.placed', { date: format.date(hold.placedAt) })}{' '}
              {hold.liftedAt !== null
                ? t('citizen.holds.lifted', { date: format.date(hold.liftedAt) })
                : hold.status === 'lapsed'
                  ? t('citizen.holds.lapsed', { date: format.date(hold.lapsesAt) })
                  : t('citizen.holds.lapses', { date: format.date(hold.lapsesAt) })}
            </p>
            <HoldObjection hold={hold} personId={personId} purpose="self" />
          </li>
        ))}
      </ul>
    </section>
  );
}
