/**
 * Test factories: persons, households and operator accounts written the way the application
 * writes them, so a test's fixtures cannot drift from the real rows (a hand-written
 * `person_version` with its own idea of the sealed attributes' associated data once did).
 *
 * - `buildPerson` goes through the registry's own repositories and sealing
 *   (`persons/repository.ts`, `households/household-repository.ts`,
 *   `persons/sealed-attributes.ts`): person, wrapped data key, version 1 with the sensitive
 *   attributes sealed, phone blind index and name search keys.
 * - `buildHousehold` opens memberships the way enrolment and moves do.
 * - `buildOperator` makes credentials with access's own `freshCredentials` and inserts the
 *   account as the database owner would (the application role may not grant roles alone,
 *   migration 0022); the test gets the password and TOTP secret.
 *
 * @example
 *   const person = await buildPerson(kit, { region: 'VE-Z', phone: '+584121230000' });
 *   const household = await buildHousehold(kit, { members: [{ person, relationship: 'head' }] });
 *   const clerk = await buildOperator(kit, { username: 'a.clerk', roles: ['enrolment_clerk'] });
 */
import { randomUUID } from 'node:crypto';
import type { Options } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { base32Decode } from '../src/modules/access/base32.js';
import { freshCredentials } from '../src/modules/access/operator-credentials.js';
import { totpCode, totpStep } from '../src/modules/access/totp.js';
import {
  insertHousehold,
  openMembership,
} from '../src/modules/registry/households/household-repository.js';
import {
  insertPerson,
  insertPersonKey,
  insertVersion,
  setPhoneDigest,
  setSearchKeys,
} from '../src/modules/registry/persons/repository.js';
import { sealVersion } from '../src/modules/registry/persons/sealed-attributes.js';
import { nameSearchKeys } from '../src/modules/registry/search/search-keys.js';
import { generateUin } from '../src/modules/registry/uin/index.js';
import { blindIndex, newDataKey, wrapDataKey } from '../src/platform/crypto/envelope.js';
import type { Database } from '../src/platform/db/schema.js';
import type { Role } from '../src/shared/access/roles.js';
import type { Relationship } from '../src/shared/households/relationships.js';

/** What the factories write with: the application's database, the owner's, the master key. */
export interface FactoryContext {
  database: {
    db: Kysely<Database>;
    /** Needed only for what the application role may not do (a status, a role). */
    asAdmin?<T>(work: (admin: Kysely<Database>) => Promise<T>): Promise<T>;
  };
  masterKey: Buffer;
  /** The test clock, for `disabled_at` and TOTP codes; the system clock when absent. */
  now?: () => Date;
}

export interface BuiltPerson {
  id: string;
  uin: string;
  regionCode: string;
}

export interface PersonOptions {
  uin?: string;
  /** ISO 3166-2:VE; also the `state_code` attribute unless `attributes` names one. */
  region?: string;
  /** The `municipality_code` attribute (`VE-A-01`) unless `attributes` is given. */
  municipality?: string;
  /** Clear attributes of version 1, exactly (default: a plain adult with a name and a state). */
  attributes?: Record<string, unknown>;
  /** Sensitive attributes, sealed under the person's data key. */
  sealed?: Record<string, unknown>;
  /** Sealed with the rest and findable by its blind index, as enrolment does. */
  phone?: string | null;
  status?: 'active' | 'deceased';
}

const defaultAttributes = {
  given_names: 'María José',
  first_surname: 'Pérez',
  second_surname: 'Lugo',
  sex: 'F',
  birth_date: '1988-01-02',
};

export async function buildPerson(
  context: FactoryContext,
  options: PersonOptions = {},
): Promise<BuiltPerson> {
  const id = randomUUID();
  const regionCode = options.region ?? 'VE-A';
  const attributes = options.attributes ?? {
    ...defaultAttributes,
    state_code: regionCode,
    ...(options.municipality === undefined ? {} : { municipality_code: options.municipality }),
  };
  const sealed = {
    ...options.sealed,
    ...(options.phone ? { phone: options.phone } : {}),
  };
  const dataKey = newDataKey();
  const uin = await context.database.db.transaction().execute(async (trx) => {
    const drawn = await insertPerson(trx, {
      personId: id,
      regionCode,
      nextUin: () => options.uin ?? generateUin(),
    });
    await insertPersonKey(trx, id, wrapDataKey(context.masterKey, dataKey, id));
    await insertVersion(trx, {
      personId: id,
      version: 1,
      attributes,
      sealed: sealVersion(dataKey, id, 1, sealed),
      reason: 'enrolment',
      recordedBy: null,
    });
    if (options.phone) {
      await setPhoneDigest(trx, id, blindIndex(context.masterKey, 'phone', options.phone));
    }
    await setSearchKeys(trx, id, regionCode, nameSearchKeys(attributes));
    return drawn;
  });
  if (options.uin !== undefined && uin !== options.uin)
    throw new Error(`buildPerson: UIN ${options.uin} is already taken`);
  if (options.status !== undefined && options.status !== 'active') {
    const status = options.status;
    // As the owner: the application role changes a status only through its write verbs.
    await ownerOf(context)((admin) =>
      admin.updateTable('person').set({ status }).where('id', '=', id).execute(),
    );
  }
  return { id, uin, regionCode };
}

export interface BuiltHousehold {
  id: string;
  regionCode: string;
}

export async function buildHousehold(
  context: FactoryContext,
  options: {
    region?: string;
    members: ReadonlyArray<{ person: { id: string }; relationship: Relationship }>;
  },
): Promise<BuiltHousehold> {
  const id = randomUUID();
  const regionCode = options.region ?? 'VE-A';
  await context.database.db.transaction().execute(async (trx) => {
    await insertHousehold(trx, id, regionCode);
    for (const member of options.members) {
      await openMembership(trx, {
        householdId: id,
        personId: member.person.id,
        relationship: member.relationship,
        recordedBy: null,
      });
    }
  });
  return { id, regionCode };
}

export interface BuiltOperator {
  id: string;
  username: string;
  password: string;
  totpSecret: Buffer;
  /** The TOTP code for the clock's current step, plus `stepOffset`. */
  totp: (stepOffset?: number) => string;
}

/** argon2id at its smallest legal cost: tests check behaviour, not hashing strength. */
export const cheapHashOptions: Options = {
  algorithm: 2,
  memoryCost: 1024,
  timeCost: 1,
  parallelism: 1,
};

export async function buildOperator(
  context: FactoryContext,
  options: { username: string; roles?: Role[]; regions?: string[]; disabled?: boolean },
): Promise<BuiltOperator> {
  const now = context.now ?? (() => new Date());
  const id = randomUUID();
  // The credentials an administrator's reset hands over, made by access's own code.
  const fresh = await freshCredentials(
    context.masterKey,
    { id, username: options.username },
    cheapHashOptions,
  );
  const password = fresh.shown.password;
  const totpSecret = base32Decode(fresh.shown.totpSecretBase32);
  const values = {
    id,
    username: options.username,
    display_name: `Test ${options.username}`,
    password_hash: fresh.stored.passwordHash,
    totp_secret_sealed: fresh.stored.totpSecretSealed,
    roles: options.roles ?? ['enrolment_clerk'],
    regions: options.regions ?? ['VE-A'],
    disabled_at: options.disabled ? now() : null,
  };
  // As the owner: the application role may not grant roles without a second administrator
  // (migration 0022); a test's fixtures are set up the way a database owner would.
  await ownerOf(context)((admin) => admin.insertInto('operator').values(values).execute());
  return {
    id,
    username: options.username,
    password,
    totpSecret,
    totp: (stepOffset = 0) => totpCode(totpSecret, totpStep(now().getTime()) + stepOffset),
  };
}

function ownerOf(context: FactoryContext) {
  const asAdmin = context.database.asAdmin;
  if (asAdmin === undefined) throw new Error('this fixture needs the database owner (asAdmin)');
  return asAdmin;
}
