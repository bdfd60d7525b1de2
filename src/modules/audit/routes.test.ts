import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { installProblemHandler } from '../../platform/http/problem-handler.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry, buildAuditKeys } from './audit-test-support.js';
import { verifyConsistencyProof, verifyInclusionProof, verifyTreeHead } from './merkle/index.js';
import { auditRoutes } from './routes.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

interface HeadJson {
  treeSize: number;
  rootHash: string;
  timestampMs: number;
  keyId: string;
  signature: string;
}

describe('audit routes', () => {
  let database: TestDatabase;
  let auditLog: AuditLog;
  const keys = buildAuditKeys();
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();

  beforeAll(async () => {
    database = await createTestDatabase();
    auditLog = await AuditLog.open({ db: database.db, keys });
    app.setValidatorCompiler(TypeBoxValidatorCompiler);
    installProblemHandler(app);
    await app.register(auditRoutes, { auditLog });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await auditLog?.close();
    await database?.close();
  });

  async function signNow(): Promise<HeadJson> {
    const response = await app.inject({ method: 'POST', url: '/api/audit/tree-heads' });
    expect(response.statusCode).toBe(200);
    const head: HeadJson = response.json();
    const signed = {
      ...head,
      size: head.treeSize,
      rootHash: bytes(head.rootHash),
      signature: bytes(head.signature),
    };
    expect(verifyTreeHead(signed, keys.auditSigning.publicKey)).toBe(true);
    return head;
  }

  it('serves signed heads and proofs that verify against them', async () => {
    expect((await app.inject({ url: '/api/audit/tree-heads/latest' })).statusCode).toBe(404);
    await Promise.all(Array.from({ length: 21 }, () => auditLog.append(buildAuditEntry())));
    const older = await signNow();
    await Promise.all(Array.from({ length: 34 }, () => auditLog.append(buildAuditEntry())));
    const newer = await signNow();
    expect((await app.inject({ url: '/api/audit/tree-heads/latest' })).json()).toEqual(newer);

    const first = await app.inject({ url: '/api/audit/tree-heads?limit=1' });
    expect(first.json()).toEqual({ treeHeads: [older], nextFrom: older.treeSize + 1 });
    const rest = await app.inject({ url: `/api/audit/tree-heads?from=${older.treeSize + 1}` });
    expect(rest.json()).toEqual({ treeHeads: [newer], nextFrom: null });

    for (const leafIndex of [0, 20, 21, newer.treeSize - 1]) {
      const response = await app.inject({
        url: `/api/audit/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${newer.treeSize}`,
      });
      const body: { leafHash: string; proof: string[] } = response.json();
      const claim = {
        index: leafIndex,
        size: newer.treeSize,
        leafHash: bytes(body.leafHash),
        proof: body.proof.map(bytes),
        root: bytes(newer.rootHash),
      };
      expect(verifyInclusionProof(claim)).toBe(true);
    }
    const consistency = await app.inject({
      url: `/api/audit/proofs/consistency?from=${older.treeSize}&to=${newer.treeSize}`,
    });
    const proof = (consistency.json() as { proof: string[] }).proof.map(bytes);
    const claim = {
      oldSize: older.treeSize,
      newSize: newer.treeSize,
      oldRoot: bytes(older.rootHash),
      newRoot: bytes(newer.rootHash),
      proof,
    };
    expect(verifyConsistencyProof(claim)).toBe(true);
  });

  it('answers problems for sizes beyond the log and malformed queries', async () => {
    const beyond = await app.inject({
      url: '/api/audit/proofs/inclusion?leafIndex=0&treeSize=999999',
    });
    expect(beyond.statusCode).toBe(404);
    expect(beyond.json()).toMatchObject({ code: 'AMP_NOT_FOUND' });
    const reversed = await app.inject({ url: '/api/audit/proofs/consistency?from=9&to=3' });
    expect(reversed.json()).toMatchObject({ status: 400, code: 'AMP_VALIDATION' });
    const malformed = await app.inject({
      url: '/api/audit/proofs/inclusion?leafIndex=-1&treeSize=x',
    });
    expect(malformed.statusCode).toBe(400);
  });
});
