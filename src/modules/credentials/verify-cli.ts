import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { decodePng, findQrText } from './card-image.js';
import { CredentialsError } from './credentials-error.js';
import { revocationListBytesMax, verifyImageBytesMax } from './limits.js';
import { RevocationState, verifyRevocationList } from './revocation-list.js';
import { anchorFromHex } from './signed-document.js';
import {
  type TrustedKeys,
  trustedKeysFromList,
  trustedKeysFromPublicKey,
  verifyTrustList,
} from './trust-list.js';
import { judgeCredential, type Verdict } from './verdict.js';

/** The options of `amparo verify`. */
export interface VerifyArgs {
  image?: string;
  text?: string;
  trustList?: string;
  /** Ed25519 public key (hex) that signs trust and revocation lists; else AMPARO_TRUST_ANCHOR. */
  trustAnchor?: string;
  publicKey?: string;
  alg?: string;
  /** A full revocation list, then deltas in order. */
  revocationList?: string[];
  json?: boolean;
  /** The verifier's clock, seconds since 1970 (tests); defaults to now. */
  now?: number;
}

export interface VerifyOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit codes: 0 valid, 1 not valid, 2 usage error. */
export const verifyExitCodes = { valid: 0, notValid: 1, usage: 2 } as const;

class UsageError extends Error {}

/**
 * Runs `amparo verify`: reads the QR from an image or takes the text, judges it and prints the
 * verdict and the disclosed fields. Returns the exit code; never throws.
 *
 * @example
 * const code = await runVerify({ text, publicKey: hex, alg: 'EdDSA' }, consoleOutput);
 */
export async function runVerify(args: VerifyArgs, output: VerifyOutput): Promise<number> {
  let verdict: Verdict;
  try {
    const trusted = loadTrust(args);
    const revocations = loadRevocations(args);
    const now = args.now ?? Math.floor(Date.now() / 1000);
    const text = readCredentialText(args);
    verdict =
      typeof text === 'string'
        ? await judgeCredential(text, { trusted, now, ...(revocations ? { revocations } : {}) })
        : text;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CredentialsError) {
      output.stderr(`amparo verify: ${error.message}\n`);
      return verifyExitCodes.usage;
    }
    output.stderr(`amparo verify: unexpected error: ${String(error)}\n`);
    return verifyExitCodes.usage;
  }
  output.stdout(args.json ? `${JSON.stringify(verdict, null, 2)}\n` : describeVerdict(verdict));
  return verdict.status === 'valid' ? verifyExitCodes.valid : verifyExitCodes.notValid;
}

function loadTrust(args: VerifyArgs): TrustedKeys {
  if ((args.trustList === undefined) === (args.publicKey === undefined)) {
    throw new UsageError('give exactly one of --trust-list FILE or --public-key HEX');
  }
  if (args.trustList !== undefined) {
    return trustedKeysFromList(verifyTrustList(readSmallFile(args.trustList), anchor(args)));
  }
  const hex = args.publicKey ?? '';
  const alg = args.alg ?? 'EdDSA';
  if (alg !== 'EdDSA' && alg !== 'ES256') throw new UsageError('--alg must be EdDSA or ES256');
  const bytes = alg === 'EdDSA' ? 32 : 65;
  if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(hex)) {
    throw new UsageError(
      `--public-key must be the raw ${alg} public key in ${bytes * 2} hex digits`,
    );
  }
  return trustedKeysFromPublicKey(new Uint8Array(Buffer.from(hex, 'hex')), alg);
}

function loadRevocations(args: VerifyArgs): RevocationState | undefined {
  const [base, ...deltas] = args.revocationList ?? [];
  if (base === undefined) return undefined;
  const key = anchor(args);
  const state = new RevocationState(verifyRevocationList(readSmallFile(base), key));
  for (const delta of deltas) state.apply(verifyRevocationList(readSmallFile(delta), key));
  return state;
}

function anchor(args: VerifyArgs) {
  const hex = args.trustAnchor ?? process.env.AMPARO_TRUST_ANCHOR;
  if (hex === undefined) {
    throw new UsageError(
      'signed lists need --trust-anchor HEX (or AMPARO_TRUST_ANCHOR): printed at start-up, by "amparo keys show-anchor" and at GET /api/credentials/trust-anchor',
    );
  }
  return anchorFromHex(hex);
}

/** The QR text, or a verdict when the image itself is refused or holds no QR code. */
function readCredentialText(args: VerifyArgs): string | Verdict {
  if ((args.image === undefined) === (args.text === undefined)) {
    throw new UsageError('give exactly one of --image FILE or --text BASE45');
  }
  if (args.text !== undefined) return args.text;
  const file = args.image ?? '';
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  if (size > verifyImageBytesMax) {
    return malformedImage(`the image is ${size} bytes; at most ${verifyImageBytesMax} are read`);
  }
  try {
    const found = findQrText(decodePng(readFileSync(file)));
    return found ?? malformedImage('no QR code was found in the image');
  } catch (error) {
    if (error instanceof CredentialsError) return malformedImage(error.message);
    throw error;
  }
}

function malformedImage(message: string): Verdict {
  return { status: 'malformed', code: 'AMP_VERIFY_IMAGE_REFUSED', message };
}

function readSmallFile(file: string): string {
  try {
    if (statSync(file).size > revocationListBytesMax) throw new UsageError(`${file} is too large`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}`);
  }
}

const headline: Record<Verdict['status'], string> = {
  valid: 'VALID',
  'invalid-signature': 'NOT VALID: invalid signature',
  'unknown-key': 'NOT VALID: unknown key',
  expired: 'NOT VALID: expired',
  'not-yet-valid': 'NOT VALID: not yet valid',
  revoked: 'NOT VALID: revoked',
  malformed: 'NOT VALID: malformed',
};

/** The human-readable verdict: headline, reason, then the disclosed fields. */
export function describeVerdict(verdict: Verdict): string {
  const lines = [headline[verdict.status], `  ${verdict.message} [${verdict.code}]`];
  const fields = verdict.fields ?? {};
  const rows: [string, string | undefined][] = [
    ['ID number', fields.uin],
    ['Full name', fields.fullName],
    ['Date of birth', fields.dateOfBirth],
    ['Sex', fields.sex],
    [
      'Photo',
      fields.facePhoto
        ? `${Math.floor((fields.facePhoto.base64.length * 3) / 4)} bytes`
        : undefined,
    ],
    ['Expires', fields.expiresAt],
    ['Issuer', fields.issuer],
    ['Key', fields.kid],
  ];
  for (const [label, value] of rows)
    if (value !== undefined) lines.push(`  ${label.padEnd(14)}${value}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Registers `amparo verify` on the CLI.
 *
 * @example
 * registerVerifyCommand(program); // amparo verify --text NCF… --public-key … --alg EdDSA
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('Verify a card QR offline: prints the verdict and the disclosed fields')
    .option('--image <file>', 'PNG image of the card or of its QR code')
    .option('--text <base45>', 'the QR text')
    .option('--trust-list <file>', 'signed trust list of issuer keys')
    .option('--trust-anchor <hex>', 'Ed25519 key that signs trust and revocation lists')
    .option('--public-key <hex>', 'trust exactly this raw public key')
    .option('--alg <alg>', 'algorithm of --public-key: EdDSA or ES256', 'EdDSA')
    .option(
      '--revocation-list <file>',
      'signed revocation list, then deltas (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print the verdict as JSON')
    .action(async (options: VerifyArgs) => {
      process.exitCode = await runVerify(options, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
