import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './platform/errors.js';

describe('configuration', () => {
  it('defaults to the embedded database under ./data', () => {
    const config = loadConfig({}, '/srv/amparo');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/srv/amparo/data/db' });
    expect(config.keysDir).toBe('/srv/amparo/data/keys');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.cards).toEqual({ validityYears: 5, issuerName: 'Amparo' });
    expect(loadConfig({ AMPARO_CARD_VALIDITY_YEARS: '3' }).cards.validityYears).toBe(3);
  });

  it('refreshes statistics nightly unless told another interval or off', () => {
    const every = (value?: string) =>
      loadConfig(value === undefined ? {} : { AMPARO_STATISTICS_REFRESH_EVERY: value }).statistics
        .refreshEverySeconds;
    expect(every()).toBe(86_400);
    expect(every('30s')).toBe(30);
    expect(every('15m')).toBe(900);
    expect(every('6h')).toBe(21_600);
    expect(every('off')).toBeNull();
  });

  it('holds a payment PIN set within 7 days of a change of phone unless told another number', () => {
    const days = (value?: string) =>
      loadConfig(value === undefined ? {} : { AMPARO_PIN_PHONE_CHANGE_DAYS: value }).merchants
        .pinPhoneChangeDays;
    expect(days()).toBe(7);
    expect(days('30')).toBe(30);
    expect(days('0')).toBe(0);
  });

  it("takes the distribution points' bounds from the environment, within their limits", () => {
    const distribution = (env: Record<string, string>) => loadConfig(env).distribution;
    expect(distribution({})).toEqual({
      assistedPerOperatorPerDay: 30,
      offlineSnapshotTtlMs: 72 * 3_600_000,
      offlineSnapshotWarnAfterMs: 12 * 3_600_000,
      entitlementHoldMaxMs: 14 * 86_400_000,
      offlineProofKeyOpenMs: 30 * 86_400_000,
    });
    expect(
      distribution({
        AMPARO_ASSISTED_PER_DAY: '5',
        AMPARO_OFFLINE_SNAPSHOT_HOURS: '24',
        AMPARO_OFFLINE_SNAPSHOT_WARN_HOURS: '20',
        AMPARO_ENTITLEMENT_HOLD_DAYS: '7',
        AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '90',
      }),
    ).toEqual({
      assistedPerOperatorPerDay: 5,
      offlineSnapshotTtlMs: 24 * 3_600_000,
      offlineSnapshotWarnAfterMs: 20 * 3_600_000,
      entitlementHoldMaxMs: 7 * 86_400_000,
      offlineProofKeyOpenMs: 90 * 86_400_000,
    });
    // The bounds of the card-proof key's window are accepted, from one day to half a year.
    for (const [days, ms] of [
      ['1', 86_400_000],
      ['180', 180 * 86_400_000],
    ] as const) {
      expect(distribution({ AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: days }).offlineProofKeyOpenMs).toBe(
        ms,
      );
    }
    // A life shorter than the default warning age warns an hour before its end.
    expect(distribution({ AMPARO_OFFLINE_SNAPSHOT_HOURS: '8' }).offlineSnapshotWarnAfterMs).toBe(
      7 * 3_600_000,
    );
    // No setting may make the card a requirement (safeguard 9), outlive 14 days, or warn too late;
    // nor leave a hold on an entitlement without an end, or longer than the ceiling.
    const refused: Record<string, string>[] = [
      { AMPARO_ASSISTED_PER_DAY: '0' },
      { AMPARO_ASSISTED_PER_DAY: '1001' },
      { AMPARO_ASSISTED_PER_DAY: 'many' },
      { AMPARO_OFFLINE_SNAPSHOT_HOURS: '0' },
      { AMPARO_OFFLINE_SNAPSHOT_HOURS: '337' },
      { AMPARO_OFFLINE_SNAPSHOT_HOURS: '24', AMPARO_OFFLINE_SNAPSHOT_WARN_HOURS: '24' },
      { AMPARO_ENTITLEMENT_HOLD_DAYS: '0' },
      { AMPARO_ENTITLEMENT_HOLD_DAYS: '91' },
      // A retired card-proof key that never opens loses receipts still on devices; one that opens
      // for most of a year keeps a leaked key useful.
      { AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '0' },
      { AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '181' },
      { AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '30.5' },
      { AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: 'month' },
    ];
    for (const env of refused) {
      expect(() => distribution(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });

  it('uses PostgreSQL when DATABASE_URL is set, migrating through its own URL if given', () => {
    const app = 'postgres://amparo_app@db:5432/amparo';
    const owner = 'postgres://amparo_migrator@db:5432/amparo';
    expect(loadConfig({ DATABASE_URL: app }).database).toEqual({
      kind: 'postgres',
      url: app,
      migrationUrl: app,
    });
    expect(loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: owner }).database).toEqual({
      kind: 'postgres',
      url: app,
      migrationUrl: owner,
    });
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://host' }, 'DATABASE_URL'],
    [{ MIGRATION_DATABASE_URL: 'postgres://h/db' }, 'MIGRATION_DATABASE_URL'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ AMPARO_ENV: 'staging' }, 'AMPARO_ENV'],
    [{ AMPARO_CARD_VALIDITY_YEARS: '0' }, 'AMPARO_CARD_VALIDITY_YEARS'],
    [{ AMPARO_CARD_VALIDITY_YEARS: '2.5' }, 'AMPARO_CARD_VALIDITY_YEARS'],
    [{ AMPARO_CARD_VALIDITY_YEARS: '11' }, 'AMPARO_CARD_VALIDITY_YEARS'],
    [{ AMPARO_STATISTICS_REFRESH_EVERY: 'nightly' }, 'AMPARO_STATISTICS_REFRESH_EVERY'],
    [{ AMPARO_STATISTICS_REFRESH_EVERY: '0s' }, 'AMPARO_STATISTICS_REFRESH_EVERY'],
    [{ AMPARO_STATISTICS_REFRESH_EVERY: '32d' }, 'AMPARO_STATISTICS_REFRESH_EVERY'],
    [{ AMPARO_PIN_PHONE_CHANGE_DAYS: '91' }, 'AMPARO_PIN_PHONE_CHANGE_DAYS'],
    [{ AMPARO_PIN_PHONE_CHANGE_DAYS: '1.5' }, 'AMPARO_PIN_PHONE_CHANGE_DAYS'],
    [{ AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '181' }, 'AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS'],
  ])('names the setting at fault: %o', (env, setting) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).setting).toBe(setting);
    }
  });
});
