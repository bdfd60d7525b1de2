import { randomUUID } from 'node:crypto';
import type { Options } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { insertOperator } from './operator-admin-repository.js';
import { freshCredentials } from './operator-credentials.js';
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
    const fresh = await freshCredentials(
      masterKey,
      { id, username: account.username },
      passwordHashOptions,
    );
    await insertOperator(db, { id, ...account, ...fresh.stored });
    credentials.push({
      username: account.username,
      roles: account.roles,
      regions: account.regions,
      password: fresh.shown.password,
      totpSecretBase32: fresh.shown.totpSecretBase32,
    });
  }
  return credentials;
}
