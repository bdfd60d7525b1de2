/**
 * The audit module's public face: the only file other modules and the composition
 * (`src/app.ts`) import. Re-exports only.
 */
export type {
  AccessGuard,
  PersonRegionLookup,
} from '../../shared/access/guard-port.js';
export { AuditLog, type AuditLogOptions } from './audit-log.js';
export { type AuditPluginOptions, auditPlugin } from './plugin.js';
export { signingReporters } from './signing-alerts.js';
export type { AuditSigningStatus } from './signing-health.js';
