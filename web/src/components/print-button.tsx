import { useTranslation } from 'react-i18next';

/**
 * Prints the page; the print style sheet (`styles.css`, `@media print`) shows only the
 * `.print-area` the button belongs to, so a receipt or a slip comes out alone on the paper.
 *
 * @example
 *   <section className="print-area">… <PrintButton /></section>
 */
export function PrintButton({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="no-print" onClick={() => window.print()}>
      {label ?? t('print.button')}
    </button>
  );
}

/** The address where a person signs in to see their own record (printed on papers). */
export function citizenAddress(): string {
  return `${window.location.origin}/citizen`;
}
