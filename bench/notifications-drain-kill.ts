import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import smpp, { type Pdu, type Session } from 'smpp';
import { enqueueTexts } from '../src/modules/notifications/outbox-enqueuer.js';
import { initKeys, loadKeyStore } from '../src/platform/crypto/key-store.js';
import type { Database } from '../src/platform/db/schema.js';
import { createThrowawayDatabase, loadAverage } from './audit-append.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Issue 14, reliability: `messages` queued texts drained by a separate worker process
 * (`node bin/amparo.js notifications work --provider smpp`) to a local SMS centre (the `smpp`
 * package's server side, in this process), with `kill -9` of the worker once the centre has
 * received `killAt` messages, then a second worker started to drain the rest.
 *
 * Each message is the appeal-decided text with its own reference (`B-<n>`, kept in the row's
 * parameters), so the centre counts what it received per message and the bench compares that
 * with each row's final state. It fails (throws) when a message reached the centre twice, when
 * a row says sent or delivered and the centre never got it, or when a message the centre never
 * got is not `failed` with a reason an operator sees (`interrupted`): nothing sent twice, and
 * nothing lost without a trace. The centre acknowledges every submit, then sends its DELIVRD
 * receipt; a receipt it could not hand over (the bind died) is sent again on the next bind,
 * as a real centre does. PostgreSQL (TEST_DATABASE_URL), since two processes share it.
 *
 *   npm run bench -- notifications-drain-kill [messages=100000] [killAt=messages/2] [leaseSeconds=10] [drainTimeoutMinutes=180]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const messages = Number(args[0] ?? 100_000);
  const killAt = Number(args[1] ?? Math.floor(messages / 2));
  const leaseSeconds = Number(args[2] ?? 10);
  const drainTimeoutMinutes = Number(args[3] ?? 180);
  const database = await createThrowawayDatabase(2);
  const workDir = mkdtempSync(path.join(tmpdir(), 'amparo-drain-kill-'));
  const smsc = await countingSmsc();
  const workers: ChildProcess[] = [];
  try {
    const keysDir = path.join(workDir, 'keys');
    initKeys(keysDir);
    const { masterKey } = loadKeyStore(keysDir, undefined);
    const queuedAt = new Date();
    const started = performance.now();
    const chunk = 2_000;
    for (let start = 0; start < messages; start += chunk) {
      const size = Math.min(chunk, messages - start);
      const { rows } = await sql<{ id: string }>`
        insert into person (id, uin, region_code, merged_into)
        select gen_random_uuid(), (3000000000 + ${start} + g)::text, 'VE-A', null
        from generate_series(1, ${size}) as g
        returning id`.execute(database.admin);
      await enqueueTexts(
        database.app,
        masterKey,
        rows.map((row, i) => ({
          personId: row.id,
          phone: `+58414${String(1_000_000 + start + i)}`,
          language: 'en',
          templateId: 'programs.appeal_decided',
          parameters: { reference: `B-${start + i}` },
          queuedAt,
        })),
      );
    }
    const queuedMs = performance.now() - started;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.appUrl,
      MIGRATION_DATABASE_URL: database.adminUrl,
      AMPARO_KEYS_DIR: keysDir,
      AMPARO_DATA_DIR: workDir,
      AMPARO_SMS_PROVIDER: 'smpp',
      AMPARO_SMPP_URL: `smpp://amparo:secret@127.0.0.1:${smsc.port}`,
    };
    const spawnWorker = () => {
      const child = spawn(
        process.execPath,
        [
          path.join(root, 'bin/amparo.js'),
          'notifications',
          'work',
          '--lease',
          String(leaseSeconds),
        ],
        { env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr?.on('data', (data: Buffer) => smsc.workerLog.push(data.toString()));
      workers.push(child);
      return child;
    };

    const loadAtStart = loadAverage();
    const drainStarted = performance.now();
    const first = spawnWorker();
    await until(
      () => smsc.received >= killAt || first.exitCode !== null,
      drainTimeoutMinutes * 60_000,
    );
    if (first.exitCode !== null) throw new Error(`worker exited: ${smsc.workerLog.join('')}`);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const killedMs = performance.now() - drainStarted;
    const atKill = await statesOf(database.app);
    const handedAtKill = await sql<{ handed: string; unhanded: string }>`
      select count(*) filter (where handed_at is not null) as handed,
             count(*) filter (where handed_at is null) as unhanded
      from notification_outbox where status = 'sending'`.execute(database.app);
    const receivedAtKill = smsc.received;

    const restarted = performance.now();
    const second = spawnWorker();
    const loadAtRestart = loadAverage();
    // Drained: nothing queued or sending, and every receipt the centre owes handed over. A
    // drain slower than `drainTimeoutMinutes` (a loaded machine) still reports its counts.
    const drained = await until(async () => {
      if (second.exitCode !== null) throw new Error(`worker exited: ${smsc.workerLog.join('')}`);
      const states = await statesOf(database.app);
      return (states.queued ?? 0) + (states.sending ?? 0) === 0 && smsc.receiptsOwed() === 0;
    }, drainTimeoutMinutes * 60_000).then(
      () => true,
      () => false,
    );
    const drainedMs = performance.now() - drainStarted;
    // The last receipts are recorded by the worker after they are handed over.
    await until(async () => {
      const states = await statesOf(database.app);
      return (states.sent ?? 0) === 0;
    }, 60_000).catch(() => undefined);
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    const rows = await sql<{ reference: string; status: string; failure_reason: string | null }>`
      select parameters->>'reference' as reference, status, failure_reason
      from notification_outbox`.execute(database.app);
    let sentOnce = 0;
    let sentTwiceOrMore = 0;
    let neverReceived = 0;
    let recordedSentNotReceived = 0;
    let lostWithoutTrace = 0;
    let interrupted = 0;
    let interruptedReceived = 0;
    let interruptedNotReceived = 0;
    for (const row of rows.rows) {
      const count = smsc.byReference.get(row.reference) ?? 0;
      if (count === 1) sentOnce += 1;
      if (count > 1) sentTwiceOrMore += 1;
      if (count === 0) neverReceived += 1;
      const isInterrupted = row.status === 'failed' && row.failure_reason === 'interrupted';
      if (isInterrupted) {
        interrupted += 1;
        if (count > 0) interruptedReceived += 1;
        else interruptedNotReceived += 1;
      }
      if (count === 0 && (row.status === 'sent' || row.status === 'delivered')) {
        recordedSentNotReceived += 1;
      }
      if (count === 0 && !isInterrupted) lostWithoutTrace += 1;
    }
    const queuedReferences = new Set(rows.rows.map((row) => row.reference));
    const unknownAtSmsc = [...smsc.byReference.keys()].filter(
      (reference) => !queuedReferences.has(reference),
    ).length;
    const unknownReceipts = await sql<{ n: string }>`
      select count(*) as n from notification_receipt r
      where not exists (select 1 from notification_part p
        where p.provider = r.provider and p.provider_message_id = r.provider_message_id)`.execute(
      database.app,
    );
    const result = {
      command: `npm run bench -- notifications-drain-kill ${messages} ${killAt} ${leaseSeconds} ${drainTimeoutMinutes}`,
      drained,
      database: 'postgresql (throwaway database on TEST_DATABASE_URL)',
      messages,
      queueMs: Math.round(queuedMs),
      killedAfterMs: Math.round(killedMs),
      receivedAtSmscAtKill: receivedAtKill,
      statesAtKill: atKill,
      sendingAtKillHanded: Number(handedAtKill.rows[0]?.handed ?? 0),
      sendingAtKillNotHanded: Number(handedAtKill.rows[0]?.unhanded ?? 0),
      restartToDrainedMs: Math.round(performance.now() - restarted),
      drainedMs: Math.round(drainedMs),
      messagesPerSecondOverall: Math.round(messages / (drainedMs / 1000)),
      submitsAtSmsc: smsc.received,
      sentOnce,
      sentTwiceOrMore,
      neverReceived,
      interrupted,
      interruptedReceived,
      interruptedNotReceived,
      recordedSentNotReceived,
      lostWithoutTrace,
      unknownAtSmsc,
      receiptsUnmatched: Number(unknownReceipts.rows[0]?.n ?? 0),
      finalStates: await statesOf(database.app),
      loadAverageAtStart: loadAtStart,
      loadAverageAtRestart: loadAtRestart,
      loadAverageAtEnd: loadAverage(),
    };
    // Undrained, messages still queued were never received: only the other two promises hold.
    const lost = drained ? lostWithoutTrace : 0;
    if (sentTwiceOrMore > 0 || recordedSentNotReceived > 0 || lost > 0) {
      throw new Error(`drain after kill -9 broke a promise: ${JSON.stringify(result)}`);
    }
    return result;
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await smsc.close();
    await database.drop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function statesOf(db: Kysely<Database>): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: string; n: string }>`
    select status, count(*) as n from notification_outbox group by status`.execute(db);
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * An SMS centre that counts what it received per message reference (`B-<n>` in the text),
 * answers every submit, then sends the DELIVRD receipt; receipts not acknowledged when a bind
 * dies are sent again on the next bind.
 */
async function countingSmsc() {
  let next = 1;
  const byReference = new Map<string, number>();
  const owed: Array<Record<string, unknown>> = [];
  const unacknowledged = new Map<Session, Set<Record<string, unknown>>>();
  const sessions = new Set<Session>();
  const state = {
    port: 0,
    received: 0,
    byReference,
    workerLog: [] as string[],
    receiptsOwed: () =>
      owed.length + [...unacknowledged.values()].reduce((sum, set) => sum + set.size, 0),
    close: async () => {},
  };
  const deliver = (session: Session, receipt: Record<string, unknown>) => {
    const pending = unacknowledged.get(session);
    if (!pending) {
      owed.push(receipt);
      return;
    }
    pending.add(receipt);
    session.deliver_sm(receipt, () => pending.delete(receipt));
  };
  const lose = (session: Session) => {
    sessions.delete(session);
    const pending = unacknowledged.get(session);
    unacknowledged.delete(session);
    if (pending) owed.push(...pending);
  };
  const server = smpp.createServer({}, (session: Session) => {
    session.on('bind_transceiver', (pdu: Pdu) => {
      sessions.add(session);
      unacknowledged.set(session, new Set());
      session.send(pdu.response());
      for (const receipt of owed.splice(0)) deliver(session, receipt);
    });
    session.on('close', () => lose(session));
    session.on('error', () => lose(session));
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => session.send(pdu.response()));
    session.on('submit_sm', (pdu: Pdu) => {
      const messageId = `smsc-${next++}`;
      state.received += 1;
      const body = pdu.short_message as { message?: string } | Buffer;
      const text = Buffer.isBuffer(body) ? body.toString('latin1') : String(body.message);
      const reference = /appeal (B-\d+) /.exec(text)?.[1] ?? `unparsed:${text}`;
      byReference.set(reference, (byReference.get(reference) ?? 0) + 1);
      session.send(pdu.response({ message_id: messageId }));
      deliver(session, {
        source_addr: String(pdu.destination_addr),
        destination_addr: 'AMPARO',
        esm_class: 0x04,
        short_message: `id:${messageId} stat:DELIVRD err:000 text:`,
        receipted_message_id: messageId,
        message_state: 2,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const session of sessions) session.destroy();
      server.close(() => resolve());
    });
  return state;
}
