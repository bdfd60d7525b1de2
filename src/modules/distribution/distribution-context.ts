import type { Kysely } from 'kysely';
import { limits } from '../../limits.js';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { PersonRegionLookup } from '../../shared/access/guard-port.js';
import type { TransactionalAuditRecorder } from '../access/index.js';
import type { PersonNotifier } from '../notifications/index.js';
import type { AssistedIdentities } from '../registry/index.js';

/**
 * What a redemption without the card and an offline snapshot's household bindings ask of the
 * registry. The registry declares the port beside its one implementation; `src/app.ts` passes
 * `assistedIdentities(masterKey)`, so the master key is handed over only where the app is
 * composed. Re-exported here so that distribution's verbs name it with their other dependencies.
 */
export type { AssistedIdentities };

/** What every distribution verb needs: the database, the audit log, the keys and a clock. */
export interface DistributionDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  /** Issuer keys verify cards; the master key derives the receipt-signing key. */
  keys: KeyStore;
  now?: () => Date;
  /** The issuer name cards carry (config `cards.issuerName`): an offline snapshot's trust list names it. */
  issuerName?: string;
  /** Redemption without the card: the registry's port. */
  identities?: AssistedIdentities;
  /** The person's region (the registry's port): whose supervisors may hold their entitlement. */
  personRegion?: PersonRegionLookup;
  /**
   * Texts the one-time code of a redemption without the card, and the receipt of every
   * redemption in its transaction (`src/app.ts` passes the one notifier).
   */
  notifier?: PersonNotifier;
  /** The bounds an agency sets (src/config.ts, `distribution`); limits.ts's defaults otherwise. */
  settings?: Partial<DistributionSettings>;
}

/** What an agency may set for its distribution points (README, "Configuration"). */
export interface DistributionSettings {
  /** Hand-overs without the card one operator may start in a local calendar day (at least 1). */
  assistedPerOperatorPerDay: number;
  /** How long an offline device's snapshot may be used. */
  offlineSnapshotTtlMs: number;
  /** After this age the point-of-service app warns the operator; less than the life. */
  offlineSnapshotWarnAfterMs: number;
  /** A supervisor's hold on one entitlement lapses by itself after this long. */
  entitlementHoldMaxMs: number;
  /**
   * How long after the last snapshot that published a retired card-proof key version expired the
   * sync still opens receipts sealed to it (proof-key-versions.ts).
   */
  offlineProofKeyOpenMs: number;
}

/** The settings in force: those given, limits.ts's defaults for the rest. */
export function settingsOf(deps: Pick<DistributionDependencies, 'settings'>): DistributionSettings {
  const { assistedPerOperatorPerDayDefault, offline, entitlementHoldDays } = limits.distribution;
  return {
    assistedPerOperatorPerDay:
      deps.settings?.assistedPerOperatorPerDay ?? assistedPerOperatorPerDayDefault,
    offlineSnapshotTtlMs: deps.settings?.offlineSnapshotTtlMs ?? offline.snapshotTtlMs,
    offlineSnapshotWarnAfterMs:
      deps.settings?.offlineSnapshotWarnAfterMs ?? offline.snapshotWarnAfterMs,
    entitlementHoldMaxMs: deps.settings?.entitlementHoldMaxMs ?? entitlementHoldDays * 86_400_000,
    offlineProofKeyOpenMs:
      deps.settings?.offlineProofKeyOpenMs ?? offline.proofKeyOpenAfterSnapshotsDays * 86_400_000,
  };
}

/** Who acts, why, and for which request. */
export interface DistributionContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

export function nowOf(deps: DistributionDependencies): Date {
  return deps.now?.() ?? new Date();
}
