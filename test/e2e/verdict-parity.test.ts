import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCard } from '../../src/modules/credentials/card-payload.js';
import {
  issuedAtExample,
  makeHolder,
  makeSigningKey,
} from '../../src/modules/credentials/card-test-kit.js';
import { createNodeSigner, nodePrimitives } from '../../src/modules/credentials/node-primitives.js';
import {
  appendRevocations,
  emptyRevocationList,
  RevocationState,
  signRevocationList,
} from '../../src/modules/credentials/revocation-list.js';
import {
  buildTrustList,
  signTrustList,
  trustedKeysFromList,
} from '../../src/modules/credentials/trust-list.js';
import { judgeCredential } from '../../src/modules/credentials/verdict.js';
import { encodeCredential } from '../../src/shared/claim169/credential.js';
import { verdictStatuses } from '../../src/shared/claim169/verdict.js';
import { judgeInBrowser } from '../../web/src/features/verifier/judge-in-browser.js';
import {
  BrowserRevocations,
  readRevocationList,
} from '../../web/src/features/verifier/revocation-list-reader.js';
import { readTrustList } from '../../web/src/features/verifier/trust-list-reader.js';
import { createTestKeyStore } from '../keys.js';

/**
 * The server (`amparo verify`, the verify endpoint) and the offline verifier page run one
 * verdict (src/shared/claim169/verdict.ts) with different primitives and list readers. Here
 * the same cards go through both: Node primitives with the lists as the server holds them,
 * web primitives with the lists as the browser reads the signed files. Every verdict must be
 * identical, and the cards reach every status.
 */
const day = 86_400;
const keys = createTestKeyStore();
const anchorHex = Buffer.from(
  keys.trustListSigning.publicKey.export({ format: 'der', type: 'spki' }),
)
  .subarray(-32)
  .toString('hex');
const current = makeSigningKey();
const retired = makeSigningKey();
const unknown = makeSigningKey();
const trustList = buildTrustList({
  version: 1,
  issuedAt: issuedAtExample,
  issuerName: 'Amparo',
  credentialValiditySecondsMax: 5 * 365 * day,
  keys: [
    { publicKey: current.publicKey, notBefore: issuedAtExample - day },
    {
      publicKey: retired.publicKey,
      notBefore: issuedAtExample - 4000 * day,
      notAfter: issuedAtExample - 3000 * day,
    },
  ],
});
const browserTrust = await readTrustList(
  JSON.stringify(signTrustList(trustList, keys.trustListSigning)),
  anchorHex,
);

const photo = {
  bytes: new Uint8Array(300).map((_, i) => (i * 37) & 0xff),
  format: 'webp' as const,
};
const card = (signer = createNodeSigner(current.privateKey)) =>
  encodeCard({ holder: makeHolder({ facePhoto: photo }), signer, issuedAt: issuedAtExample });
const genuine = await card();
const revoked = await card();
const wrongSignature = await card(
  createNodeSigner(unknown.privateKey, Buffer.from(current.kid, 'hex')),
);
const unknownKey = await card(createNodeSigner(unknown.privateKey));
const byRetiredKey = await card(createNodeSigner(retired.privateKey));

/** Our cards carry no nbf; a card with one that lies ahead is not yet valid. */
const notYetValid = await encodeCredential(
  {
    claims: { id: '4829175036', fullName: 'Ana Pérez' },
    issuer: 'https://amparo.example',
    issuedAt: issuedAtExample,
    notBefore: issuedAtExample + 30 * day,
    expiresAt: issuedAtExample + 365 * day,
  },
  createNodeSigner(current.privateKey),
  nodePrimitives,
);

const revocationList = appendRevocations(
  emptyRevocationList(issuedAtExample),
  [{ credentialId: revoked.credentialId, reason: 'stolen' }],
  issuedAtExample,
);
const browserRevocations = new BrowserRevocations(
  await readRevocationList(
    JSON.stringify(signRevocationList(revocationList, keys.trustListSigning)),
    anchorHex,
  ),
);
const serverContext = {
  trusted: trustedKeysFromList(trustList),
  revocations: new RevocationState(revocationList),
};

async function bothVerdicts(text: string, now: number) {
  const server = await judgeCredential(text, { ...serverContext, now });
  const browser = await judgeInBrowser(text, browserTrust, now, browserRevocations);
  return { server, browser };
}

describe('the server and the browser verifier', () => {
  const now = issuedAtExample + day;
  const cases: [string, string, number][] = [
    ['a genuine card', genuine.text, now],
    ['a revoked card', revoked.text, now],
    ['an expired card', genuine.text, issuedAtExample + 6 * 365 * day],
    ['a card before its issuance', genuine.text, issuedAtExample - 30 * day],
    ['a card before its nbf', notYetValid, now],
    ['a card signed by an unknown key', unknownKey.text, now],
    ['a card signed with the trusted kid by another key', wrongSignature.text, now],
    ['a card signed by a retired key', byRetiredKey.text, now],
    ['no text', '', now],
    ['text that is no card', 'HC1:NOT A CARD', now],
    ['a cut card', genuine.text.slice(0, -7), now],
  ];

  it.each(cases)('give the same verdict on %s', async (_name, text, at) => {
    const { server, browser } = await bothVerdicts(text, at);
    expect(browser).toEqual(server);
  });

  it('are shown cards that reach every status', async () => {
    const statuses = new Set<string>();
    for (const [, text, at] of cases) statuses.add((await bothVerdicts(text, at)).server.status);
    expect([...statuses].sort()).toEqual([...verdictStatuses].sort());
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])(
    'agree on a card cut short by %i characters',
    async (cut) => {
      const { server, browser } = await bothVerdicts(genuine.text.slice(0, -cut), now);
      expect(browser).toEqual(server);
    },
  );

  it('agree on a cut card that ends with a space (a base45 character, not padding)', async () => {
    const space = genuine.text.indexOf(' ', 10);
    expect(space).toBeGreaterThan(0);
    const { server, browser } = await bothVerdicts(genuine.text.slice(0, space + 1), now);
    expect(server.status).not.toBe('valid');
    expect(browser).toEqual(server);
  });

  it('agree on any change to a genuine card', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: genuine.text.length - 1 }),
        fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'.split('')),
        async (index, character) => {
          const text = genuine.text.slice(0, index) + character + genuine.text.slice(index + 1);
          const { server, browser } = await bothVerdicts(text, now);
          expect(browser).toEqual(server);
        },
      ),
      { numRuns: 60 },
    );
  });
});
