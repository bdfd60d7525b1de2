import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCard } from './card-payload.js';
import { renderCardPng } from './card-render.js';
import { issuedAtExample, makeHolder, makeSigningKey } from './card-test-kit.js';
import { createNodeSigner, rawPublicKey } from './node-primitives.js';
import { appendRevocations, emptyRevocationList, signRevocationList } from './revocation-list.js';
import { buildTrustList, signTrustList } from './trust-list.js';
import { runVerify, type VerifyArgs } from './verify-cli.js';

const directory = mkdtempSync(path.join(tmpdir(), 'amparo-verify-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const target = path.join(directory, name);
  writeFileSync(target, content);
  return target;
};

const issuer = makeSigningKey();
const anchorKey = makeSigningKey();
const anchorHex = Buffer.from(rawPublicKey(anchorKey.publicKey)).toString('hex');
const publicKeyHex = Buffer.from(rawPublicKey(issuer.publicKey)).toString('hex');
const holder = makeHolder();
const card = await encodeCard({
  holder,
  signer: createNodeSigner(issuer.privateKey),
  issuedAt: issuedAtExample,
});
const now = issuedAtExample + 86_400;
const trustListFile = file(
  'trust-list.json',
  JSON.stringify(
    signTrustList(
      buildTrustList({
        version: 1,
        issuedAt: issuedAtExample,
        issuerName: 'Amparo · Venezuela',
        credentialValiditySecondsMax: 5 * 365 * 86_400,
        keys: [{ publicKey: issuer.publicKey, notBefore: issuedAtExample }],
      }),
      anchorKey,
    ),
  ),
);
const revoked = appendRevocations(
  emptyRevocationList(1),
  [{ credentialId: card.credentialId, reason: 'lost' }],
  2,
);
const revocationFile = file(
  'revocations.json',
  JSON.stringify(signRevocationList(revoked, anchorKey)),
);

async function run(args: VerifyArgs) {
  let stdout = '';
  let stderr = '';
  const code = await runVerify(
    { now, ...args },
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
  );
  return { code, stdout, stderr };
}

describe('runVerify', () => {
  it('reads a card image, checks it against a signed trust list and prints the fields', async () => {
    const png = renderCardPng({
      holder,
      qrText: card.text,
      expiresAt: card.expiresAt,
      issuerName: 'Amparo',
    }).png;
    const result = await run({
      image: file('card.png', png),
      trustList: trustListFile,
      trustAnchor: anchorHex,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('VALID');
    expect(result.stdout).toContain(holder.fullName);
    expect(result.stdout).toContain('Amparo · Venezuela');
  });

  it('says revoked, as JSON, with exit code 1', async () => {
    const result = await run({
      text: card.text,
      publicKey: publicKeyHex,
      alg: 'EdDSA',
      trustAnchor: anchorHex,
      revocationList: [revocationFile],
      json: true,
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'revoked',
      revocationReason: 'lost',
    });
  });

  it('gives a malformed verdict for an image that is not a PNG or holds no QR', async () => {
    const notPng = await run({
      image: file('x.png', Buffer.from('hello')),
      publicKey: publicKeyHex,
    });
    const blank = renderCardPng({ holder, qrText: 'A', expiresAt: 0, issuerName: 'x' }).png;
    const otherQr = await run({ image: file('other.png', blank), publicKey: publicKeyHex });
    for (const result of [notPng, otherQr]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('NOT VALID: malformed');
    }
  });

  it('refuses an image declaring more than 40 megapixels before decoding it', async () => {
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(10_000, 16);
    header.writeUInt32BE(10_000, 20);
    const result = await run({ image: file('huge.png', header), publicKey: publicKeyHex });
    expect([result.code, result.stdout]).toEqual([
      1,
      expect.stringContaining('10000 × 10000 pixels') as unknown,
    ]);
  });

  it.each([
    ['no input', { publicKey: publicKeyHex }],
    ['two inputs', { text: 'A', image: 'x.png', publicKey: publicKeyHex }],
    ['no trust', { text: card.text }],
    ['a bad algorithm', { text: card.text, publicKey: publicKeyHex, alg: 'RS256' }],
    ['a trust list without an anchor', { text: card.text, trustList: trustListFile }],
    ['a missing file', { image: path.join(directory, 'none.png'), publicKey: publicKeyHex }],
  ])('exits 2 on a usage error: %s', async (_label, args) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^amparo verify: /);
  });
  it('says where the trust anchor is published when it is missing', async () => {
    const result = await run({ text: card.text, trustList: trustListFile });
    expect(result.stderr).toContain('amparo keys show-anchor');
    expect(result.stderr).toContain('/api/credentials/trust-anchor');
  });
});

describe('amparo verify, spawned', () => {
  const script = path.resolve('test/fixtures/cards/verify-main.ts');
  const spawn = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', script, 'verify', ...args], {
      encoding: 'utf8',
      env: { ...process.env, AMPARO_TRUST_ANCHOR: anchorHex },
    });

  it('exits 0 for a valid card and 1 for a tampered one', () => {
    const valid = spawn(['--text', card.text, '--trust-list', trustListFile, '--json']);
    expect(valid.status).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({
      status: 'valid',
      fields: { uin: holder.uin },
    });
    const tampered = spawn(['--text', `${card.text.slice(0, -2)}00`, '--public-key', publicKeyHex]);
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toMatch(/^NOT VALID/);
  });
});
