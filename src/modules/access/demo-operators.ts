import { randomUUID } from 'node:crypto';
import type { Options } from '@node-rs/argon2';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { insertOperator } from './operator-admin-repository.js';
import { freshCredentials } from './operator-credentials.js';
import { decideChange, insertChange } from './operator-grant-repository.js';
import { forgetCachedSessions } from './session-cache.js';

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
  id: string;
  username: string;
  roles: Role[];
  regions: string[];
  password: string;
  totpSecretBase32: string;
}

/**
 * The demo staff. Display names are ordinary Spanish names, as staff of a Venezuelan office
 * would have: the console shows them beside the role ("Ana Pérez (inscripción)"), so the
 * role, not the name, says what the account may do.
 */
export const demoAccounts: ReadonlyArray<{
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
}> = [
  {
    username: 'admin',
    displayName: 'Carmen Rojas',
    roles: ['administrator'],
    regions: ['VE-A'],
  },
  {
    username: 'admin2',
    displayName: 'Luis Mendoza',
    roles: ['administrator'],
    regions: ['VE-A'],
  },
  {
    username: 'clerk',
    displayName: 'Ana Pérez',
    roles: ['enrolment_clerk'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
  {
    username: 'supervisor',
    displayName: 'José Ramírez',
    roles: ['registry_supervisor'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
  {
    username: 'officer',
    displayName: 'Rosa Villegas',
    roles: ['program_officer'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
  {
    username: 'officer2',
    displayName: 'Pedro Guzmán',
    roles: ['program_officer'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
  {
    // The floor work at distribution points (stock, devices, conflicts, sign-off) is not the
    // program officers': it is this distribution supervisor's.
    username: 'floor',
    displayName: 'Luisa Montilla',
    roles: ['distribution_supervisor'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
  {
    username: 'auditor',
    displayName: 'Marta Salazar',
    roles: ['auditor'],
    regions: ['VE-A', 'VE-M', 'VE-V'],
  },
];

/** What seeding needs of the audit log: entries written in the seeding transaction. */
export interface DemoAudit {
  appendInTransaction(
    trx: Transaction<Database>,
    entries: readonly AuditEntryInput[],
  ): Promise<unknown>;
}

/**
 * Creates the demo operator accounts with fresh random passwords and TOTP secrets and
 * returns them, so start-up can print them once. They are never written anywhere else.
 *
 * They are made the way the rules allow (migration 0022): the two administrators as the
 * bootstrap of an installation, every other account with roles granted by a change that
 * `admin` asks and `admin2` approves. With an audit log each step is audited as the system
 * job `demo:seed`, so `amparo audit verify` finds the change trail matched. Passwords are
 * hashed at the production cost unless `hashOptions` says otherwise (the browser tests pass
 * the cheap options their app is built with).
 */
export async function createDemoOperators(
  db: Kysely<Database>,
  masterKey: Buffer,
  audit?: DemoAudit,
  hashOptions: Options = passwordHashOptions,
): Promise<DemoOperatorCredentials[]> {
  const credentials: DemoOperatorCredentials[] = [];
  const administrators: string[] = [];
  for (const account of demoAccounts) {
    const id = randomUUID();
    const fresh = await freshCredentials(
      masterKey,
      { id, username: account.username },
      hashOptions,
    );
    const bootstrap = account.roles.join() === 'administrator';
    await db.transaction().execute(async (trx) => {
      await insertOperator(trx, {
        id,
        ...account,
        ...(bootstrap ? {} : { roles: [], regions: [] }),
        ...fresh.stored,
      });
      const [asker, approver] = administrators;
      if (!bootstrap && asker !== undefined && approver !== undefined)
        await grantDemoRoles(trx, { id, ...account }, asker, approver);
      await audit?.appendInTransaction(trx, [demoEntry(id)]);
    });
    if (bootstrap) administrators.push(id);
    credentials.push({
      id,
      username: account.username,
      roles: account.roles,
      regions: account.regions,
      password: fresh.shown.password,
      totpSecretBase32: fresh.shown.totpSecretBase32,
    });
  }
  return credentials;
}

async function grantDemoRoles(
  trx: Transaction<Database>,
  account: { id: string; roles: Role[]; regions: string[] },
  asker: string,
  approver: string,
): Promise<void> {
  const changeId = randomUUID();
  const at = new Date();
  await insertChange(trx, {
    id: changeId,
    operatorId: account.id,
    addRoles: account.roles,
    addRegions: account.regions,
    newCredentials: false,
    requestedBy: asker,
    requestedAt: at,
  });
  await decideChange(trx, { id: changeId, status: 'approved', decidedBy: approver, at });
  await trx
    .updateTable('operator')
    .set({ roles: account.roles, regions: account.regions })
    .where('id', '=', account.id)
    .execute();
  forgetCachedSessions();
}

function demoEntry(operatorId: string): AuditEntryInput {
  return {
    actor: { kind: 'system', id: 'demo:seed', role: null, region: null },
    action: 'operator.manage',
    resource: { type: 'operator', id: operatorId },
    purpose: null,
    fields: ['username', 'display_name', 'roles', 'regions', 'password', 'totp_secret'],
    outcome: 'allowed',
    reasonCode: null,
    requestId: `demo:${randomUUID()}`,
  };
}
