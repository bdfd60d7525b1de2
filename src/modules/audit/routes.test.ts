import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry } from './audit-test-support.js';
import { verifyConsistencyProof, verifyInclusionProof, verifyTreeHead } from './merkle/index.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

interface HeadJson {
  treeSize: number;
  rootHash: string;
  timestampMs: number;
  keyId: string;
  signature: string;
}

describe('audit routes', () => {
  let kit: AccessTestApp;
  // A second appender on the same database, as another server process would be.
  let auditLog: AuditLog;
  let auditor: Record<string, string>;
  let clerk: Record<string, string>;
  const get = (url: string, cookies: Record<string, string> = auditor) =>
    kit.app.inject({ url, cookies });

  async function signIn(
    username: string,
    roles: Parameters<typeof createTestOperator>[1]['roles'],
  ) {
    const operator = await createTestOperator(kit, { username, roles });
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: operator.password, totp: operator.totp() },
    });
    return { amparo_session: sessionCookieFrom(response) ?? '' };
  }

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    auditLog = await AuditLog.open({ db: kit.database.db, keys: kit.keys });
    auditor = await signIn('auditor.a', ['auditor']);
    clerk = await signIn('clerk.a', ['enrolment_clerk']);
  });
  afterAll(async () => {
    await auditLog?.close();
    await kit?.close();
  });

  async function signNow(): Promise<HeadJson> {
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/audit/tree-heads?purpose=audit',
      payload: {},
      cookies: auditor,
    });
    expect(response.statusCode).toBe(200);
    const head: HeadJson = response.json();
    const signed = {
      ...head,
      size: head.treeSize,
      rootHash: bytes(head.rootHash),
      signature: bytes(head.signature),
    };
    expect(verifyTreeHead(signed, kit.keys.auditSigning.publicKey)).toBe(true);
    return head;
  }

  it('lets only auditors sign on demand and fetch proofs of any entry', async () => {
    const sign = (cookies: Record<string, string>, query = '?purpose=audit') =>
      kit.app.inject({
        method: 'POST',
        url: `/api/audit/tree-heads${query}`,
        payload: {},
        cookies,
      });
    expect(
      (
        await kit.app.inject({
          method: 'POST',
          url: '/api/audit/tree-heads?purpose=audit',
          payload: {},
        })
      ).statusCode,
    ).toBe(401);
    expect((await sign(clerk)).statusCode).toBe(403);
    expect((await sign(auditor, '')).statusCode).toBe(403);
    const head = await signNow();
    expect(
      (
        await get(
          `/api/audit/proofs/inclusion?leafIndex=0&treeSize=${head.treeSize}&purpose=audit`,
          clerk,
        )
      ).statusCode,
    ).toBe(403);
    expect(
      (await get(`/api/audit/proofs/inclusion?leafIndex=0&treeSize=${head.treeSize}&purpose=audit`))
        .statusCode,
    ).toBe(200);
  });

  it('serves signed heads and proofs that verify against them', async () => {
    await Promise.all(Array.from({ length: 21 }, () => auditLog.append(buildAuditEntry())));
    const older = await signNow();
    await Promise.all(Array.from({ length: 34 }, () => auditLog.append(buildAuditEntry())));
    const newer = await signNow();
    expect((await get('/api/audit/tree-heads/latest')).json()).toEqual(newer);

    const first = await get(`/api/audit/tree-heads?from=${older.treeSize}&limit=1`);
    expect(first.json()).toEqual({ treeHeads: [older], nextFrom: older.treeSize + 1 });
    const rest = await get(`/api/audit/tree-heads?from=${older.treeSize + 1}`);
    expect(rest.json()).toEqual({ treeHeads: [newer], nextFrom: null });

    for (const leafIndex of [0, 20, 21, newer.treeSize - 1]) {
      const response = await get(
        `/api/audit/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${newer.treeSize}&purpose=audit`,
      );
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
    const consistency = await kit.app.inject({
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
    const beyond = await get(
      '/api/audit/proofs/inclusion?leafIndex=0&treeSize=999999&purpose=audit',
    );
    expect(beyond.statusCode).toBe(404);
    expect(beyond.json()).toMatchObject({ code: 'AMP_NOT_FOUND' });
    const reversed = await get('/api/audit/proofs/consistency?from=9&to=3');
    expect(reversed.json()).toMatchObject({ status: 400, code: 'AMP_VALIDATION' });
    const malformed = await get('/api/audit/proofs/inclusion?leafIndex=-1&treeSize=x');
    expect(malformed.statusCode).toBe(400);
  });
});
