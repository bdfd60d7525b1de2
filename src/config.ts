import path from 'node:path';
import { limits } from './limits.js';
import { ConfigError } from './platform/errors.js';

/**
 * The whole configuration, read once from the environment and validated. Every problem is
 * a `ConfigError` naming the setting, so start-up stops with one clear line.
 */
export interface Config {
  environment: 'development' | 'production' | 'test';
  http: { host: string; port: number };
  database: DatabaseConfig;
  /** AMPARO_DATA_DIR: the embedded database, development keys and development's SMS file. */
  dataDir: string;
  keysDir: string;
  /** Base64 master key given through the environment instead of a file (production). */
  masterKeyBase64: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the built console lives; served at `/` when present. */
  webDir: string;
  /** How new cards are signed: validity and the issuer name shown by verifiers. */
  cards: { validityYears: number; issuerName: string };
  /**
   * Where every signed audit tree head is also written, outside the database, so a rollback
   * of the log's end is detected (modules/audit/README.md). The file belongs on other storage
   * than the database; development defaults to `<data dir>/audit-witness.jsonl`.
   */
  audit: { witnessFile: string | undefined; witnessUrl: string | undefined };
  /**
   * AMPARO_STATISTICS_REFRESH_EVERY: how often the server refreshes the published statistics
   * (`30s`, `15m`, `6h`, `1d`; `off`: never, `amparo statistics refresh` only). Default nightly.
   */
  statistics: { refreshEverySeconds: number | null };
  /**
   * AMPARO_COUNTER_ASSISTED_PER_DAY: tries at paying without the card (ID number, PIN and a
   * second check) one merchant may start in a local day (America/Caracas), refused ones included.
   */
  /**
   * AMPARO_PIN_PHONE_CHANGE_DAYS: a payment PIN set this many days or fewer after a change of the
   * phone on file is held, and the phone it replaced is told (docs/PAYMENTS-PIN.md). 0 turns the
   * hold after a change of phone off (the first PIN set in the app is held all the same).
   */
  merchants: { counterAssistedPerDay: number; pinPhoneChangeDays: number };
  /** Distribution points' bounds an agency sets for its own deployment (docs/DISTRIBUTION.md). */
  distribution: DistributionSettings;
}

/**
 * - AMPARO_ASSISTED_PER_DAY: hand-overs without the card one operator may start in a day at the
 *   distribution points (1 to `limits.distribution.assistedPerOperatorPerDayCeiling`; never 0:
 *   no benefit may require the card, safeguard 9).
 * - AMPARO_OFFLINE_SNAPSHOT_HOURS: how long an offline device's snapshot may be used.
 * - AMPARO_OFFLINE_SNAPSHOT_WARN_HOURS: after this age the point-of-service app warns the operator
 *   to download a new one; less than the snapshot's life.
 * - AMPARO_ENTITLEMENT_HOLD_DAYS: a supervisor's hold on one entitlement lapses by itself after
 *   this many days (1 to `limits.distribution.entitlementHoldDaysCeiling`; never 0 nor open-ended:
 *   a hold must not become a silent denial).
 * - AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: how many days after the last snapshot that published a
 *   retired card-proof key version expired the sync still opens receipts sealed to it (1 to
 *   `limits.distribution.offline.proofKeyOpenAfterSnapshotsDaysCeiling`; never 0: receipts still
 *   on a device that was offline would be lost).
 */
export interface DistributionSettings {
  assistedPerOperatorPerDay: number;
  offlineSnapshotTtlMs: number;
  offlineSnapshotWarnAfterMs: number;
  entitlementHoldMaxMs: number;
  offlineProofKeyOpenMs: number;
}

export type DatabaseConfig =
  | {
      kind: 'postgres';
      /** The application role's connection: least privilege. */
      url: string;
      /** The migrator's connection (owns the schema); defaults to `url`. */
      migrationUrl: string;
    }
  | { kind: 'pglite'; dataDir: string };

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const environments = ['development', 'production', 'test'] as const;

/**
 * @example
 *   const config = loadConfig(process.env);
 *   config.database.kind; // 'pglite' unless DATABASE_URL is set
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const dataDir = path.resolve(cwd, env.AMPARO_DATA_DIR || 'data');
  const environment = oneOf('AMPARO_ENV', env.AMPARO_ENV, environments, 'development');
  return {
    environment,
    http: {
      host: env.HOST || '127.0.0.1',
      port: parsePort(env.PORT),
    },
    database: parseDatabase(env, dataDir, cwd),
    dataDir,
    keysDir: path.resolve(cwd, env.AMPARO_KEYS_DIR || path.join(dataDir, 'keys')),
    masterKeyBase64: env.AMPARO_MASTER_KEY || undefined,
    logLevel: oneOf('LOG_LEVEL', env.LOG_LEVEL, logLevels, 'info'),
    webDir: path.resolve(cwd, env.AMPARO_WEB_DIR || 'web/dist'),
    cards: {
      validityYears: parseValidityYears(env.AMPARO_CARD_VALIDITY_YEARS),
      issuerName: parseIssuerName(env.AMPARO_CARD_ISSUER_NAME),
    },
    audit: {
      witnessFile: env.AMPARO_AUDIT_WITNESS_FILE
        ? path.resolve(cwd, env.AMPARO_AUDIT_WITNESS_FILE)
        : environment === 'development'
          ? path.join(dataDir, 'audit-witness.jsonl')
          : undefined,
      witnessUrl: parseWitnessUrl(env.AMPARO_AUDIT_WITNESS_URL),
    },
    statistics: { refreshEverySeconds: parseRefreshEvery(env.AMPARO_STATISTICS_REFRESH_EVERY) },
    merchants: {
      counterAssistedPerDay: parseCounterAssisted(env.AMPARO_COUNTER_ASSISTED_PER_DAY),
      pinPhoneChangeDays: parsePinPhoneChangeDays(env.AMPARO_PIN_PHONE_CHANGE_DAYS),
    },
    distribution: parseDistribution(env),
  };
}

/** The distribution settings, each a whole number within the bounds in limits.ts. */
function parseDistribution(env: NodeJS.ProcessEnv): DistributionSettings {
  const {
    assistedPerOperatorPerDayDefault,
    assistedPerOperatorPerDayCeiling,
    offline,
    entitlementHoldDays,
    entitlementHoldDaysCeiling,
  } = limits.distribution;
  const hourMs = 3_600_000;
  const assisted = wholeNumberIn(
    'AMPARO_ASSISTED_PER_DAY',
    env.AMPARO_ASSISTED_PER_DAY,
    { min: 1, max: assistedPerOperatorPerDayCeiling },
    assistedPerOperatorPerDayDefault,
  );
  const ttlHours = wholeNumberIn(
    'AMPARO_OFFLINE_SNAPSHOT_HOURS',
    env.AMPARO_OFFLINE_SNAPSHOT_HOURS,
    { min: 1, max: offline.snapshotTtlHoursCeiling },
    offline.snapshotTtlMs / hourMs,
  );
  const warnHours = wholeNumberIn(
    'AMPARO_OFFLINE_SNAPSHOT_WARN_HOURS',
    env.AMPARO_OFFLINE_SNAPSHOT_WARN_HOURS,
    { min: 0, max: ttlHours - 1 },
    // Unset, the default warning age, or an hour before the end of a shorter life.
    Math.min(offline.snapshotWarnAfterMs / hourMs, ttlHours - 1),
  );
  const holdDays = wholeNumberIn(
    'AMPARO_ENTITLEMENT_HOLD_DAYS',
    env.AMPARO_ENTITLEMENT_HOLD_DAYS,
    { min: 1, max: entitlementHoldDaysCeiling },
    entitlementHoldDays,
  );
  const proofKeyOpenDays = wholeNumberIn(
    'AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS',
    env.AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS,
    { min: 1, max: offline.proofKeyOpenAfterSnapshotsDaysCeiling },
    offline.proofKeyOpenAfterSnapshotsDays,
  );
  return {
    assistedPerOperatorPerDay: assisted,
    offlineSnapshotTtlMs: ttlHours * hourMs,
    offlineSnapshotWarnAfterMs: warnHours * hourMs,
    entitlementHoldMaxMs: holdDays * 24 * hourMs,
    offlineProofKeyOpenMs: proofKeyOpenDays * 24 * hourMs,
  };
}

/** A whole number from `min` to `max`, or `fallback` when the setting is unset or empty. */
function wholeNumberIn(
  name: string,
  value: string | undefined,
  range: { min: number; max: number },
  fallback: number,
): number {
  if (value === undefined || value === '') return fallback;
  const number = /^[0-9]{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= range.min && number <= range.max)) {
    throw new ConfigError(
      name,
      `"${value}" is not a whole number from ${range.min} to ${range.max}`,
    );
  }
  return number;
}

/** A whole number from 0 (payments without the card off) to the bound in limits.ts. */
function parseCounterAssisted(value: string | undefined): number {
  const { counterAssistedPerMerchantPerDayDefault, counterAssistedPerMerchantPerDayMax } =
    limits.merchants;
  if (value === undefined || value === '') return counterAssistedPerMerchantPerDayDefault;
  const count = /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 0 && count <= counterAssistedPerMerchantPerDayMax)) {
    throw new ConfigError(
      'AMPARO_COUNTER_ASSISTED_PER_DAY',
      `"${value}" is not a whole number from 0 to ${counterAssistedPerMerchantPerDayMax}`,
    );
  }
  return count;
}

/** Whole days from 0 to `limits.merchants.pinPhoneChangeDaysMax`; 7 by default. */
function parsePinPhoneChangeDays(value: string | undefined): number {
  const dayMs = 86_400_000;
  const { pinGuard, pinPhoneChangeDaysMax } = limits.merchants;
  if (value === undefined || value === '') return pinGuard.phoneChangeWindowMs / dayMs;
  const days = /^[0-9]{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 0 && days <= pinPhoneChangeDaysMax)) {
    throw new ConfigError(
      'AMPARO_PIN_PHONE_CHANGE_DAYS',
      `"${value}" is not a whole number of days from 0 to ${pinPhoneChangeDaysMax}`,
    );
  }
  return days;
}

const secondsPer = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** An interval such as `30s`, `15m`, `6h` or `1d` (at most 31 days), or `off`. */
function parseRefreshEvery(value: string | undefined): number | null {
  if (value === undefined || value === '') return limits.statistics.refreshEveryDefaultSeconds;
  if (value === 'off') return null;
  const match = /^([1-9][0-9]{0,6})([smhd])$/.exec(value);
  const seconds = match ? Number(match[1]) * secondsPer[match[2] as keyof typeof secondsPer] : 0;
  if (seconds < 1 || seconds > 31 * 86_400) {
    throw new ConfigError(
      'AMPARO_STATISTICS_REFRESH_EVERY',
      `"${value}" is not an interval such as 30s, 15m, 6h or 1d (at most 31 days), or off`,
    );
  }
  return seconds;
}

/** An http(s) URL that receives each signed tree head by POST; none when unset. */
function parseWitnessUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('AMPARO_AUDIT_WITNESS_URL', 'is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(
      'AMPARO_AUDIT_WITNESS_URL',
      `has protocol "${url.protocol}" (expected https:)`,
    );
  }
  return value;
}

function parseDatabase(env: NodeJS.ProcessEnv, dataDir: string, cwd: string): DatabaseConfig {
  if (env.DATABASE_URL) {
    const url = parsePostgresUrl('DATABASE_URL', env.DATABASE_URL);
    const migrationUrl = env.MIGRATION_DATABASE_URL
      ? parsePostgresUrl('MIGRATION_DATABASE_URL', env.MIGRATION_DATABASE_URL)
      : url;
    return { kind: 'postgres', url, migrationUrl };
  }
  if (env.MIGRATION_DATABASE_URL) {
    throw new ConfigError('MIGRATION_DATABASE_URL', 'is set but DATABASE_URL is not');
  }
  return {
    kind: 'pglite',
    dataDir: path.resolve(cwd, env.AMPARO_DB_DIR || path.join(dataDir, 'db')),
  };
}

export function parsePostgresUrl(setting: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, 'is not a URL (expected postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(setting, `has protocol "${url.protocol}" (expected postgres:)`);
  }
  if (!url.hostname && !url.searchParams.get('host')) {
    throw new ConfigError(setting, 'names no host');
  }
  if (url.pathname.length <= 1) {
    throw new ConfigError(setting, 'names no database (expected …/database)');
  }
  return value;
}

/** Card validity in whole years, 1 to 10 (the credentials module refuses longer). */
function parseValidityYears(value: string | undefined): number {
  if (value === undefined || value === '') return 5;
  const years = Number(value);
  if (!Number.isInteger(years) || years < 1 || years > 10) {
    throw new ConfigError(
      'AMPARO_CARD_VALIDITY_YEARS',
      `"${value}" is not a whole number of years from 1 to 10`,
    );
  }
  return years;
}

function parseIssuerName(value: string | undefined): string {
  if (value === undefined || value === '') return 'Amparo';
  if (value.length > 60)
    throw new ConfigError('AMPARO_CARD_ISSUER_NAME', 'is longer than 60 characters');
  return value;
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `"${value}" is not a port number (0–65535)`);
  }
  return port;
}

function oneOf<T extends string>(
  setting: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) {
    // Safe: membership in `allowed` was just checked.
    return value as T;
  }
  throw new ConfigError(setting, `"${value}" is not one of ${allowed.join(', ')}`);
}
