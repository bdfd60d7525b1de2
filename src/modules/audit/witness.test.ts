import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry, buildAuditKeys } from './audit-test-support.js';
import { SigningStepError } from './signing-health.js';
import { HttpWitness, type PublishedTreeHead, parsePublishedHead } from './witness.js';

/** A witness URL on loopback that stores what it is sent, or refuses while told to. */
function witnessServer(): {
  server: Server;
  received: PublishedTreeHead[];
  refuse: { on: boolean };
} {
  const received: PublishedTreeHead[] = [];
  const refuse = { on: true };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const head = parsePublishedHead(body);
      if (refuse.on || request.method !== 'POST' || head === undefined) {
        response.writeHead(503).end();
        return;
      }
      received.push(head);
      response.writeHead(204).end();
    });
  });
  return { server, received, refuse };
}

describe('HTTP witness', () => {
  let database: TestDatabase;
  const witness = witnessServer();
  const keys = buildAuditKeys();

  beforeAll(async () => {
    database = await createTestDatabase();
    await new Promise<void>((resolve) => witness.server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => witness.server.close(resolve));
    await database?.close();
  });

  it('posts each signed head; a refused post fails the signing, and the next head reaches the witness', async () => {
    const { port } = witness.server.address() as AddressInfo; // listening on TCP: an object
    const auditLog = await AuditLog.open({
      db: database.db,
      keys,
      witnesses: [new HttpWitness(`http://127.0.0.1:${port}/heads`)],
    });
    await Promise.all(Array.from({ length: 7 }, () => auditLog.append(buildAuditEntry())));

    const refused = await auditLog.signTreeHead().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SigningStepError);
    expect(refused).toMatchObject({ step: 'witness', cause: { code: 'HTTP_503' } });
    // The head is signed and stored all the same; only the witness lacks it.
    const stored = await auditLog.proofs.latestTreeHead();
    expect(stored?.treeSize).toBe(7);
    expect(auditLog.signingStatus().witnessedTreeHeadSize).toBe(0);

    witness.refuse.on = false;
    // The next head covers the first one and the entry recording it (size 8).
    const head = await auditLog.signTreeHead();
    expect(head.treeSize).toBe(8);
    expect(witness.received).toEqual([
      expect.objectContaining({
        treeSize: 8,
        rootHash: Buffer.from(head.rootHash).toString('hex'),
        signature: Buffer.from(head.signature).toString('hex'),
      }),
    ]);
    expect(auditLog.signingStatus().witnessedTreeHeadSize).toBe(8);
    await auditLog.close();
  });

  it('retries a refused post in the background until the witness takes the very same head', async () => {
    witness.refuse.on = true;
    witness.received.length = 0;
    const { port } = witness.server.address() as AddressInfo; // listening on TCP: an object
    const auditLog = await AuditLog.open({
      db: database.db,
      keys,
      signEveryMs: 20,
      signRetryDelayMs: { minMs: 10, maxMs: 40 },
      witnesses: [new HttpWitness(`http://127.0.0.1:${port}/heads`)],
    });
    await Promise.all(Array.from({ length: 3 }, () => auditLog.append(buildAuditEntry())));
    auditLog.startTimer();
    await vi.waitFor(
      () => expect(auditLog.signingStatus().consecutiveFailures).toBeGreaterThan(1),
      {
        timeout: 20_000,
        interval: 10,
      },
    );
    expect(auditLog.signingStatus()).toMatchObject({
      state: 'failing',
      failedStep: 'witness',
      lastErrorCode: 'HTTP_503',
    });
    // Signed once: the retries find nothing new to sign and only re-send the head.
    const signed = await auditLog.proofs.latestTreeHead();
    witness.refuse.on = false;
    await vi.waitFor(() => expect(auditLog.signingStatus().state).toBe('ok'), {
      timeout: 20_000,
      interval: 10,
    });
    await auditLog.close();
    expect(witness.received.map((head) => head.treeSize)).toEqual([signed!.treeSize]);
    expect(auditLog.signingStatus().witnessedTreeHeadSize).toBe(signed!.treeSize);
  });
});
