import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { build } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { publishedCycle, publishedProgram } from '../../src/modules/programs/programs-test-kit.js';
import { initKeys, loadKeyStore } from '../../src/platform/crypto/key-store.js';
import type { Role } from '../../src/shared/access/roles.js';
import { buildOperator, buildPerson, cheapHashOptions } from '../../test/factories.js';
import { addPersons, type BenchDatabase, throwawayDatabase } from './program-population.js';

/**
 * What the distribution benchmarks redeem against: a throwaway PostgreSQL database with
 * `persons` card holders of VE-A (each card issued through the API), one in-kind program whose
 * approved cycle gives each of them a basket of `litres` litres of fuel, `points` open fuel
 * stations serving it, each with `operatorsPerPoint` signed-in operators and a large delivery of
 * fuel. Everything is set up through `build()` in this process (`inject`); the benchmark then
 * starts the server in its own process (`startServer`) and drives it over HTTP.
 */
export interface DistributionWorld {
  database: BenchDatabase;
  keysDir: string;
  item: string;
  /** One per signed-in operator: the point they serve and their session cookie. */
  operators: { pointId: string; cookie: string }[];
  cards: Card[];
  /** The cards again for each program (`programs` of them), program 0 first. */
  programs: { programId: string; cards: Card[] }[];
  pointIds: string[];
  close(): Promise<void>;
}

export interface Card {
  qrText: string;
  entitlementId: string;
  personId: string;
}

export interface WorldOptions {
  persons: number;
  /** In-kind programs, each with the same basket and an approved cycle (default 1). */
  programs?: number;
  litres: number;
  points: number;
  operatorsPerPoint: number;
  stockPerPoint: number;
  /** A PostgreSQL superuser URL of the server to create the database on. */
  serverUrl?: string;
  /**
   * More card holders, entitled like the others, written by SQL (persons in VE-A and an active
   * credential row each, as `bench/distribution-offline.ts` writes them): they fill the point's
   * snapshot to a realistic size without issuing their cards through the API, so the world has
   * no QR text for them (`cards` holds only the `persons` issued through the API).
   */
  holdersBySql?: number;
}

export async function distributionWorld(options: WorldOptions): Promise<DistributionWorld> {
  const database = await throwawayDatabase('distribution', options.serverUrl);
  const keysDir = mkdtempSync(path.join(tmpdir(), 'amparo-bench-keys-'));
  try {
    initKeys(keysDir);
    const keys = loadKeyStore(keysDir);
    const config = loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' });
    const app = await build(config, {
      database: { kind: 'postgres', db: database.app, close: async () => undefined },
      keys,
      rateLimitRequestsMax: 1_000_000_000,
      access: { passwordHashOptions: cheapHashOptions, signInRequestsPerMinuteMax: 1_000_000 },
    });
    await app.ready();
    const factory = {
      database: {
        db: database.app,
        asAdmin: <T>(work: (admin: typeof database.admin) => Promise<T>) => work(database.admin),
      },
      masterKey: keys.masterKey,
      app,
    };
    const signIn = async (roles: Role[]): Promise<{ id: string; cookie: string }> => {
      const username = `bench.${randomUUID().slice(0, 12)}`;
      const operator = await buildOperator(factory, { username, roles, regions: ['VE-A'] });
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { username, password: operator.password, totp: operator.totp() },
      });
      if (response.statusCode !== 200) throw new Error(`sign-in: ${response.body}`);
      const cookie = response.cookies.find((each) => each.name === 'amparo_session')?.value;
      if (cookie === undefined) throw new Error('sign-in gave no session cookie');
      return { id: operator.id, cookie: `amparo_session=${cookie}` };
    };
    const post = async (
      cookie: string,
      url: string,
      payload: Record<string, unknown>,
      expected: number,
    ) => {
      const response = await app.inject({ method: 'POST', url, headers: { cookie }, payload });
      if (response.statusCode !== expected) throw new Error(`${url}: ${response.body}`);
      return response.json() as Record<string, unknown>;
    };

    const item = 'fuel_litre';
    const persons: { id: string }[] = [];
    for (let index = 0; index < options.persons; index += 1) {
      persons.push(await buildPerson(factory, { region: 'VE-A' }));
    }
    // A registry supervisor may read 600 persons an hour: one issuer per 500 cards.
    const qrOf = new Map<string, string>();
    let issuer = await signIn(['registry_supervisor']);
    for (const [index, person] of persons.entries()) {
      if (index > 0 && index % 500 === 0) issuer = await signIn(['registry_supervisor']);
      const issued = await post(
        issuer.cookie,
        `/api/persons/${person.id}/credentials?purpose=enrolment`,
        { clientId: randomUUID() },
        201,
      );
      qrOf.set(person.id, issued.qrText as string);
    }
    if ((options.holdersBySql ?? 0) > 0) await addHoldersBySql(database, options.holdersBySql ?? 0);
    const programs: { programId: string; cards: Card[] }[] = [];
    for (let index = 0; index < (options.programs ?? 1); index += 1) {
      const { programId } = await publishedProgram(database.app, {
        code: `fuel_${index}_${randomUUID().slice(0, 6)}`,
        content: {
          nameEs: 'Combustible',
          nameEn: 'Fuel',
          descriptionEs: '',
          descriptionEn: '',
          kind: 'in_kind',
          unit: 'person',
          regions: [],
          cadence: 'monthly',
          benefit: { basket: [{ item, quantity: options.litres, unit: 'litre' }] },
          budgetCap: 1_000_000_000n,
          eligibilityRule: 'state_code == "VE-A"',
        },
      });
      const { cycleId } = await publishedCycle(database.app, programId, '2026-12-01');
      const entitlements = await database.app
        .selectFrom('entitlement')
        .select(['id', 'person_id'])
        .where('cycle_id', '=', cycleId)
        .execute();
      programs.push({
        programId,
        cards: entitlements
          .filter((row) => qrOf.has(row.person_id))
          .map((row) => ({
            entitlementId: row.id,
            personId: row.person_id,
            qrText: qrOf.get(row.person_id) as string,
          })),
      });
    }

    const supervisor = await signIn(['distribution_supervisor']);
    const operators: { pointId: string; cookie: string }[] = [];
    const pointIds: string[] = [];
    for (let index = 0; index < options.points; index += 1) {
      const staff = [];
      for (let each = 0; each < options.operatorsPerPoint; each += 1) {
        staff.push(await signIn(['distribution_operator']));
      }
      const { pointId } = (await post(
        supervisor.cookie,
        '/api/distribution/points?purpose=distribution',
        {
          code: `b-${index}-${randomUUID().slice(0, 6)}`,
          name: `Estación ${index}`,
          kind: 'fuel_station',
          regionCode: 'VE-A',
        },
        201,
      )) as { pointId: string };
      await post(
        supervisor.cookie,
        `/api/distribution/points/${pointId}/changes?purpose=distribution`,
        {
          addOperators: staff.map((each) => each.id),
          addPrograms: programs.map((each) => each.programId),
        },
        200,
      );
      await post(
        supervisor.cookie,
        `/api/distribution/points/${pointId}/deliveries?purpose=distribution`,
        { clientId: randomUUID(), item, quantity: options.stockPerPoint },
        201,
      );
      pointIds.push(pointId);
      for (const each of staff) operators.push({ pointId, cookie: each.cookie });
    }
    await app.close();
    await sql`analyze`.execute(database.admin);
    return {
      database,
      keysDir,
      item,
      operators,
      cards: programs[0]?.cards ?? [],
      programs,
      pointIds,
      async close() {
        await database.close();
        rmSync(keysDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await database.close();
    rmSync(keysDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * One card redemption of 1 unit of `item` for `app.inject`, as the benchmarks send it: the
 * operator's point and cookie, the card's QR text and entitlement, a fresh idempotency key.
 */
export function redemptionInjection(
  operator: { pointId: string; cookie: string },
  card: { qrText: string; entitlementId: string },
  item: string,
) {
  return {
    method: 'POST' as const,
    url: `/api/distribution/points/${operator.pointId}/redemptions?purpose=distribution`,
    headers: { cookie: operator.cookie },
    payload: {
      clientId: randomUUID(),
      qrText: card.qrText,
      entitlementId: card.entitlementId,
      lines: [{ item, quantity: 1 }],
    },
  };
}

/** `count` (rounded up to households of 4) persons in VE-A, each with an active credential row. */
async function addHoldersBySql(database: BenchDatabase, count: number): Promise<void> {
  const persons = Math.ceil(count / 4) * 4;
  await addPersons(database.admin, 0, persons);
  const ids = sql`(select md5('p' || g)::uuid from generate_series(0::int8, ${persons - 1}::int8) g)`;
  await sql`update person set region_code = 'VE-A' where id in ${ids}`.execute(database.admin);
  await sql`update person_version set attributes = attributes || '{"state_code": "VE-A"}'::jsonb
    where person_id in ${ids}`.execute(database.admin);
  await sql`insert into credential (id, person_id, person_version, kid, issued_at, expires_at)
    select substring(decode(md5('c' || p.id::text), 'hex') from 1 for 16), p.id, 1,
           '0123456789abcdef', now() - interval '1 day', now() + interval '5 years'
      from person p where p.id in ${ids}`.execute(database.admin);
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** What the server wrote to stderr so far (its last 4,000 characters). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `bench/lib/distribution-server.ts` in its own process; resolves when it listens. */
export async function startServer(
  world: Pick<DistributionWorld, 'database' | 'keysDir'>,
  port?: number,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const listenOn = port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join(import.meta.dirname, 'distribution-server.ts')],
    {
      env: {
        ...process.env,
        DATABASE_URL: world.database.appUrl,
        AMPARO_KEYS_DIR: world.keysDir,
        PORT: String(listenOn),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${listenOn}`;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited: ${stderr}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  return {
    url,
    child,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export function quantiles(latencies: number[]): {
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => +(sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN).toFixed(2);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}
