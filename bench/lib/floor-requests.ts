import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import { build } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { cashCycle } from '../../src/modules/payments/payments-test-kit.js';
import { loadKeyStore } from '../../src/platform/crypto/key-store.js';
import { createPostgresPool, kyselyOverPool } from '../../src/platform/db/database.js';
import type { Database } from '../../src/platform/db/schema.js';
import { buildOperator, cheapHashOptions } from '../../test/factories.js';
import { type DistributionWorld, redemptionInjection } from './distribution-world.js';
import { linearised, type ReplayScript, replayScript, uuidsOf } from './pgbench-replay.js';
import { type CapturedStatement, captureStatements } from './statement-capture.js';

/**
 * The requests `distribution-redeem-floor` replays: card redemptions as `distribution-redeem`
 * sends them and single ledger transfers as `ledger-tpcb` sends them (a finance officer funding
 * their program), each sent through `build()` (`inject`) with every statement captured, then
 * turned into pgbench scripts (`pgbench-replay.ts`).
 */
/** A card redemption caller: the operator's cookie and point, and a card. */
export interface RedeemCaller {
  cookie: string;
  pointId: string;
  qrText: string;
  entitlementId: string;
}

/** A signed-in finance officer and the program they fund. */
export interface FundingCaller {
  cookie: string;
  programId: string;
}

/** A finance officer of `fundingOfficers`, not yet signed in. */
export interface Officer {
  username: string;
  password: string;
  totp: () => string;
  programId: string;
}

/** What one kind of request sends, as captured, and its replay scripts in each variant. */
export interface CapturedKind {
  /** The statements of one warm request (session and point read within the last 2 s), in order. */
  warm: CapturedStatement[];
  /** The statements a request adds when nothing is cached (the session, the point gate). */
  uncachedExtra: CapturedStatement[];
  /** Whether every warm request captured sent the same statements in the same order. */
  sameShape: boolean;
  scripts: { warm: ReplayScript[]; uncached: ReplayScript[]; withoutAuditMove: ReplayScript[] };
}

/** `count` finance officers each with their own cash program, as `ledger-tpcb` sets them up. */
export async function fundingOfficers(world: DistributionWorld, count: number): Promise<Officer[]> {
  const keys = loadKeyStore(world.keysDir);
  const factory = {
    database: {
      db: world.database.app,
      asAdmin: <T>(work: (admin: Kysely<Database>) => Promise<T>) => work(world.database.admin),
    },
    masterKey: keys.masterKey,
  };
  const officers = [];
  for (let index = 0; index < count; index += 1) {
    const { programId } = await cashCycle(world.database.app, {
      code: `floor_${index}`,
      amountMinor: 1n,
    });
    const officer = await buildOperator(factory, {
      username: `bench.floor.finance.${index}`,
      roles: ['finance_officer'],
      regions: ['VE-A'],
    });
    officers.push({ ...officer, programId });
  }
  return officers;
}

/**
 * Signs the officers in, then sends, through a fresh `build()` of this process, 3 redemptions
 * per redemption caller and 5 fundings per officer, one after another, each captured (the first
 * of each caller finds nothing cached), and 3 times each group's redemptions at once. Answers both kinds, their scripts built from the third
 * request on (each against the one before it), and the officers' cookies (sessions are rows:
 * they hold for the server process too).
 */
export async function captureFloorRequests(
  world: DistributionWorld,
  callers: RedeemCaller[],
  groups: RedeemCaller[][],
  officers: Officer[],
): Promise<{
  redeem: CapturedKind;
  fund: CapturedKind;
  redeemTogether: CapturedKind;
  funders: FundingCaller[];
  /** Statements left out as background work (audit tree head signing) during the captures. */
  backgroundStatements: number;
}> {
  const redemption = (caller: RedeemCaller) => redemptionInjection(caller, caller, world.item);
  const capture = captureStatements();
  // A pool of the server's size (`limits.database.poolConnectionsMax`), as `amparo serve` has.
  const db = kyselyOverPool(createPostgresPool(world.database.appUrl));
  const app = await build(loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' }), {
    database: { kind: 'postgres', db, close: async () => undefined },
    keys: loadKeyStore(world.keysDir),
    rateLimitRequestsMax: 1_000_000_000,
    access: { passwordHashOptions: cheapHashOptions, signInRequestsPerMinuteMax: 1_000_000 },
  });
  try {
    await app.ready();
    const funders: FundingCaller[] = [];
    for (const officer of officers) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { username: officer.username, password: officer.password, totp: officer.totp() },
      });
      const cookie = response.cookies.find((each) => each.name === 'amparo_session')?.value;
      if (cookie === undefined) throw new Error(`sign-in: ${response.body}`);
      funders.push({ cookie: `amparo_session=${cookie}`, programId: officer.programId });
    }
    // The world's set-up changed points, which stops this process caching point gates for 2 s.
    await sleep(2_100);
    const sent = async (send: () => Promise<{ statusCode: number; body: string }>) => {
      capture.start();
      const response = await send();
      const statements = capture.stop();
      if (response.statusCode !== 201) throw new Error(`captured request: ${response.body}`);
      return statements;
    };
    const redeemed: CapturedStatement[][][] = [];
    for (const caller of callers) {
      const requests = [];
      for (let index = 0; index < 3; index += 1) {
        requests.push(await sent(() => app.inject(redemption(caller))));
      }
      redeemed.push(requests);
    }
    // Each group's redemptions sent at once, three times: what they send together (the app
    // writes concurrent card redemptions in shared transactions, redemption-batch.ts).
    const batched: CapturedStatement[][][] = [];
    for (const group of groups) {
      const rounds = [];
      for (let round = 0; round < 3; round += 1) {
        capture.start();
        const responses = await Promise.all(group.map((caller) => app.inject(redemption(caller))));
        const statements = capture.stop();
        const refused = responses.find((response) => response.statusCode !== 201);
        if (refused !== undefined) throw new Error(`captured redemption: ${refused.body}`);
        rounds.push(linearised(statements));
      }
      batched.push(rounds);
    }
    const funded: CapturedStatement[][][] = [];
    for (const caller of funders) {
      const requests = [];
      for (let index = 0; index < 5; index += 1) {
        requests.push(
          await sent(() =>
            app.inject({
              method: 'POST',
              url: `/api/payments/programs/${caller.programId}/funding?purpose=distribution`,
              headers: { cookie: caller.cookie },
              payload: { transferId: randomUUID(), currency: 'VES', amountMinor: '1' },
            }),
          ),
        );
      }
      funded.push(requests);
    }
    capture.restore();
    const existing = existingIds(world.database.admin);
    return {
      redeem: await kindOf(redeemed, existing, /from "distribution_point" as "p"/),
      fund: await kindOf(funded, existing),
      redeemTogether: await kindOf(batched, existing),
      funders,
      backgroundStatements: capture.backgroundStatements(),
    };
  } finally {
    capture.restore();
    await app.close();
    await db.destroy();
  }
}

const SESSION_READ = /from "auth_session" as "s"/;

/**
 * A kind's scripts: from each caller's third request on, each against the one before it. The
 * uncached variant adds, before the request's first statement, the session read the caller's
 * first request sent (and `gate`'s statement after the request's first one: the point gate is
 * read after the card); the variant without the audit move drops the transaction that moves
 * the audit entry into the Merkle log (`audit_append_lock…`).
 */
async function kindOf(
  callers: CapturedStatement[][][],
  existing: (uuids: string[]) => Promise<Set<string>>,
  gate?: RegExp,
): Promise<CapturedKind> {
  const scripts: CapturedKind['scripts'] = { warm: [], uncached: [], withoutAuditMove: [] };
  const shapes = new Set<string>();
  let uncachedExtra: CapturedStatement[] = [];
  for (const requests of callers) {
    const first = requests[0] ?? [];
    const session = first.filter((statement) => SESSION_READ.test(statement.text));
    const gateRead = gate === undefined ? [] : first.filter((each) => gate.test(each.text));
    uncachedExtra = [...session, ...gateRead];
    for (let index = 2; index < requests.length; index += 1) {
      const request = requests[index] ?? [];
      const previous = uuidsOf(requests[index - 1] ?? []);
      const candidates = [...uuidsOf(request)].filter((uuid) => !previous.has(uuid));
      const stable = await existing(candidates);
      const fresh = new Set(candidates.filter((uuid) => !stable.has(uuid)));
      shapes.add(request.map((statement) => statement.text).join('\u0000'));
      const [head, ...rest] = request;
      const uncached = [...session, ...(head ? [head] : []), ...gateRead, ...rest];
      scripts.warm.push(replayScript(request, fresh));
      scripts.uncached.push(replayScript(uncached, fresh));
      scripts.withoutAuditMove.push(replayScript(withoutAuditMove(request), fresh));
    }
  }
  const warm = callers[0]?.[2] ?? [];
  return { warm, uncachedExtra, sameShape: shapes.size === 1, scripts };
}

/** The statements without the transaction (begin … commit) that takes the audit appender's lock. */
export function withoutAuditMove(statements: CapturedStatement[]): CapturedStatement[] {
  const kept: CapturedStatement[] = [];
  let block: CapturedStatement[] | undefined;
  for (const statement of statements) {
    const text = statement.text.trim().toLowerCase();
    if (text === 'begin') block = [];
    if (block === undefined) {
      kept.push(statement);
      continue;
    }
    block.push(statement);
    if (text === 'commit' || text === 'rollback') {
      if (!block.some((each) => /audit_append_lock/.test(each.text))) kept.push(...block);
      block = undefined;
    }
  }
  return [...kept, ...(block ?? [])];
}

/** Which of these UUIDs are ids of rows the requests did not create (entities that existed). */
function existingIds(admin: Kysely<Database>) {
  return async (uuids: string[]): Promise<Set<string>> => {
    if (uuids.length === 0) return new Set();
    const tables = [
      'ledger_account',
      'entitlement',
      'person',
      'program',
      'program_cycle',
      'distribution_point',
      'operator',
      'auth_session',
    ];
    const found = new Set<string>();
    for (const table of tables) {
      const { rows } = await sql<{ id: string }>`select id::text as id from ${sql.table(table)}
        where id = any(${uuids}::uuid[])`.execute(admin);
      for (const row of rows) found.add(row.id);
    }
    return found;
  };
}
