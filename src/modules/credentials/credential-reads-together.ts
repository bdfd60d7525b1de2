import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { type CredentialRow, findCredentials } from './credential-repository.js';
import { cardRowsReadTogetherMax } from './limits.js';

interface Waiting {
  id: Buffer;
  resolve(row: CredentialRow | undefined): void;
  reject(error: unknown): void;
}

/** The reads asked for in this turn of the event loop, per database handle, not yet sent. */
const gathering = new WeakMap<Kysely<Database>, Waiting[]>();

/**
 * One card's row (`findCredential`), read together with the other cards asked for in the same
 * turn of the event loop: the card checks of requests that arrive at once (16 redemptions at
 * a busy point) send one `select … where id in (…)` instead of one statement each. A check
 * alone still sends one statement, a turn later. At most `cardRowsReadTogetherMax` cards a
 * statement; a failed read fails every check that waited for it (each throws it on, as a
 * check that read alone would).
 *
 * @example
 *   const row = await findCredentialTogether(db, credentialId);
 */
export function findCredentialTogether(
  db: Kysely<Database>,
  id: Buffer,
): Promise<CredentialRow | undefined> {
  return new Promise((resolve, reject) => {
    let waiting = gathering.get(db);
    if (waiting === undefined) {
      const group: Waiting[] = [];
      waiting = group;
      gathering.set(db, group);
      setImmediate(() => {
        if (gathering.get(db) === group) gathering.delete(db);
        void readGroup(db, group);
      });
    }
    waiting.push({ id, resolve, reject });
    // A full group is sent as it is on its turn; the next check starts another.
    if (waiting.length >= cardRowsReadTogetherMax) gathering.delete(db);
  });
}

async function readGroup(db: Kysely<Database>, group: readonly Waiting[]): Promise<void> {
  try {
    const ids = [...new Map(group.map((each) => [each.id.toString('hex'), each.id])).values()];
    const rows = new Map(
      (await findCredentials(db, ids)).map((row) => [row.id.toString('hex'), row]),
    );
    for (const each of group) each.resolve(rows.get(each.id.toString('hex')));
  } catch (error) {
    for (const each of group) each.reject(error);
  }
}
