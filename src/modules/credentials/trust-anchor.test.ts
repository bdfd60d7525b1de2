import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../../test/cli-environment.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { anchorFromHex } from './signed-document.js';
import { registerShowAnchorCommand, trustAnchorOf } from './trust-anchor.js';
import { signTrustList, verifyTrustList } from './trust-list.js';

/**
 * The trust anchor is published (issue 10, point 9): served without sign-in, and printed by
 * `amparo keys show-anchor`; in both places it is the key that verifies the trust list.
 */
describe('trust anchor over HTTP', () => {
  let kit: AccessTestApp;
  beforeAll(async () => {
    kit = await buildAccessTestApp();
  });
  afterAll(async () => kit?.close());

  it('is served without sign-in and verifies the published trust list', async () => {
    const response = await kit.app.inject({ url: '/api/credentials/trust-anchor' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.anchor).toMatch(/^[0-9a-f]{64}$/);
    expect(body).toMatchObject({
      kid: kit.keys.trustListSigning.kid,
      alg: 'EdDSA',
      trustList: '/api/credentials/trust-list',
      verifierSetup: `/verify?anchor=${body.anchor}`,
    });
    const list = await kit.app.inject({ url: '/api/credentials/trust-list' });
    expect(verifyTrustList(list.body, anchorFromHex(body.anchor)).version).toBeGreaterThan(0);
    // Public in the API description too: no sign-in answers are declared for it.
    const openApi = (await kit.app.inject({ url: '/api/openapi.json' })).json();
    const responses = Object.keys(openApi.paths['/api/credentials/trust-anchor'].get.responses);
    expect(responses).toContain('200');
    expect(responses).not.toContain('401');
    // Not the audit key nor an issuer key: the one verifiers pin for lists.
    expect(body.anchor).not.toBe(trustAnchorOf({ trustListSigning: kit.keys.auditSigning }).anchor);
  });
});

describe('amparo keys show-anchor', () => {
  let cli: CliEnvironment;
  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-keys-cli-');
  });
  afterAll(async () => cli?.close());

  async function run(...args: string[]): Promise<string> {
    let output = '';
    const program = new Command('amparo').exitOverride();
    registerShowAnchorCommand(program.command('keys'), {
      env: cli.env,
      write: (text) => {
        output += text;
      },
    });
    await program.parseAsync(['node', 'amparo', 'keys', ...args]);
    return output;
  }

  it('prints the 64 hex digits of the key that signs the trust list, and JSON on request', async () => {
    const printed = (await run('show-anchor')).trim();
    expect(printed).toMatch(/^[0-9a-f]{64}$/);
    const keys = loadKeyStore(cli.env.AMPARO_KEYS_DIR ?? '');
    const signed = JSON.stringify(
      signTrustList(
        {
          format: 'amparo.trust-list.v1',
          version: 1,
          issuedAt: 1_800_000_000,
          issuerName: 'Amparo',
          credentialValiditySecondsMax: 1,
          keys: [],
        },
        keys.trustListSigning,
      ),
    );
    expect(verifyTrustList(signed, anchorFromHex(printed)).version).toBe(1);
    expect(JSON.parse(await run('show-anchor', '--json'))).toEqual({
      anchor: printed,
      kid: keys.trustListSigning.kid,
      alg: 'EdDSA',
    });
  });
});
