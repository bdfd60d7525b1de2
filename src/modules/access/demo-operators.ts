import { randomBytes, randomUUID } from 'node:crypto';
import { hash, type Options } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { seal } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';
import { base32Encode } from './base32.js';
import type { Role } from './roles.js';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes). `algorithm: 2` is the
 * library's `Algorithm.Argon2id`, an ambient const enum that cannot be imported as a value.
 */
export const passwordHashOptions: Options = {
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export interface DemoOperatorCredentials {
  username: string;
  roles: Role[];
  regions: string[];
  password: string;
  totpSecretBase32: string;
}

const demoAccounts: Array<{
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
}> = [
  {
    username: 'admin',
    displayName: 'Demo administrator',
    roles: ['administrator'],
    regions: ['VE-A'],
  },
  {
    username: 'admin2',
    displayName: 'Second demo administrator',
    roles: ['administrator'],
    regions: ['VE-A'],
  },
  {
    username: 'clerk',
    displayName: 'Demo enrolment clerk',
    roles: ['enrolment_clerk'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
  {
    username: 'supervisor',
    displayName: 'Demo registry supervisor',
    roles: ['registry_supervisor'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
  {
    username: 'auditor',
    displayName: 'Demo auditor',
    roles: ['auditor'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
];

/**
 * Creates the demo operator accounts with fresh random passwords and TOTP secrets and
 * returns them, so start-up can print them once. They are never written anywhere else.
 */
export async function createDemoOperators(
  db: Kysely<Database>,
  masterKey: Buffer,
): Promise<DemoOperatorCredentials[]> {
  const credentials: DemoOperatorCredentials[] = [];
  for (const account of demoAccounts) {
    const id = randomUUID();
    const password = randomBytes(12).toString('base64url');
    const totpSecret = randomBytes(20);
    await db
      .insertInto('operator')
      .values({
        id,
        username: account.username,
        display_name: account.displayName,
        password_hash: await hash(password, passwordHashOptions),
        totp_secret_sealed: seal(masterKey, totpSecret, {
          table: 'operator',
          column: 'totp_secret',
          recordId: id,
        }),
        roles: account.roles,
        regions: account.regions,
      })
      .execute();
    credentials.push({
      username: account.username,
      roles: account.roles,
      regions: account.regions,
      password,
      totpSecretBase32: base32Encode(totpSecret),
    });
  }
  return credentials;
}
