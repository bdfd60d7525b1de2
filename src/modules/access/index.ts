/**
 * The access module's public face: the only file other modules and the composition
 * (`src/app.ts`) import. Re-exports only.
 */
export type { AccessOptions } from './access-context.js';
export { accessPlugin } from './access-plugin.js';
export { sessionOpening, slipCodesIssued } from './citizen-code-repository.js';
export { type NamedOperator, operatorsNamed, operatorsWithIds } from './operator-directory.js';
export {
  type AuditRecorder,
  auditInTransaction,
  foldedAudit,
  type Grant,
  type GuardDependencies,
  type GuardedAccess,
  guardPersonAccess,
  guardRegionalAccess,
  type StagedAudit,
  type TransactionalAuditRecorder,
} from './person-access-guard.js';
export { type AccessAdminPluginOptions, accessAdminPlugin } from './plugin.js';
export {
  consumePersonReads,
  countPersonReadsInTransaction,
  countPersonReadsOfMany,
  PersonReadsOverrun,
  personReadsRefusal,
  takeBackPersonReads,
} from './read-quota.js';
export { auditUnfinishedGrants, noteAuditWritten } from './request-grants.js';
export { raiseSecurityAlert, type SecurityAlertKind } from './security-alerts.js';
