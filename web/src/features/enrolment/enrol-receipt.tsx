import { useTranslation } from 'react-i18next';
import type { EnrolAnswer } from '../../api/types.js';
import { citizenAddress, PrintButton } from '../../components/print-button.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { useOperator } from '../../session/use-session.js';

/**
 * The paper the person takes home after enrolling: their ID number (or, for an enrolment
 * held as a possible duplicate, the server's reference to ask about it), name, date, the
 * office, and how to see their own data and who looked at it (the citizen page). Printed
 * alone with the Print button (print style sheet in `styles.css`).
 *
 * @example
 *   <EnrolReceipt answer={answer} entered={attributes} />
 */
export function EnrolReceipt(props: { answer: EnrolAnswer; entered: Record<string, unknown> }) {
  const { t } = useTranslation();
  const format = useFormat();
  const operator = useOperator();
  const { answer, entered } = props;
  const name = ['given_names', 'first_surname', 'second_surname']
    .map((attribute) => entered[attribute])
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join(' ');
  const office = operator?.regions.map(divisionName).join(', ') ?? '';
  const held = answer.status === 'held';
  return (
    <section
      className="panel print-area receipt"
      aria-labelledby="receipt-heading"
      data-testid="enrol-receipt"
    >
      <h2 id="receipt-heading">{held ? t('receipt.heldTitle') : t('receipt.title')}</h2>
      <dl className="attributes">
        {answer.status === 'held' ? (
          <>
            <dt>{t('receipt.reference')}</dt>
            <dd className="mono receipt-number" data-testid="held-reference">
              {answer.reference}
            </dd>
          </>
        ) : (
          <>
            <dt>{t('receipt.uin')}</dt>
            <dd className="mono receipt-number">{answer.uin}</dd>
          </>
        )}
        <dt>{t('receipt.name')}</dt>
        <dd>{name}</dd>
        <dt>{t('receipt.date')}</dt>
        <dd>{format.date(new Date().toISOString().slice(0, 10))}</dd>
        <dt>{t('receipt.office')}</dt>
        <dd>{t('receipt.officeIs', { regions: office, clerk: operator?.displayName ?? '' })}</dd>
      </dl>
      <p>
        {held ? t('receipt.heldNext') : t('receipt.seeYourData', { address: citizenAddress() })}
      </p>
      <PrintButton label={t('receipt.print')} />
    </section>
  );
}
