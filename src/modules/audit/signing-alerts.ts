import type { AuditLogOptions } from './audit-log.js';
import type { AuditSigningStatus } from './signing-health.js';

export interface SigningReportTargets {
  /** Log lines: an error per failure, one info line on recovery. */
  log: {
    error(fields: Record<string, unknown>, message: string): void;
    info(fields: Record<string, unknown>, message: string): void;
  };
  /** Raises the auditors' alert (`audit_signing_failed`); may fail when the database does. */
  raiseAlert(details: AuditSigningStatus): Promise<void>;
}

/**
 * How the server reports background signing: every failure is logged (code and step, no
 * message text, which may quote data), the first failure of a streak raises one alert for
 * auditors, and an alert that could not be stored is tried again at the next failure.
 *
 * @example
 *   AuditLog.open({ db, keys, ...signingReporters({ log: app.log, raiseAlert }) });
 */
export function signingReporters(
  targets: SigningReportTargets,
): Pick<AuditLogOptions, 'onSigningFailed' | 'onSigningRecovered'> {
  let alerted = false;
  return {
    async onSigningFailed(status) {
      targets.log.error({ auditSigning: status }, 'audit tree head signing failed; will retry');
      if (alerted) return;
      try {
        await targets.raiseAlert(status);
        alerted = true;
      } catch (alertError) {
        targets.log.error(
          { auditSigning: status, err: alertError },
          'could not store the audit signing alert; it is tried again at the next failure',
        );
      }
    },
    onSigningRecovered(status, failures) {
      alerted = false;
      targets.log.info({ auditSigning: status, failures }, 'audit tree head signing recovered');
    },
  };
}
