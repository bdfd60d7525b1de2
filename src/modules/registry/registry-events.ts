import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/**
 * What the registry tells other modules about a person's life cycle. Each event carries
 * identifiers only: a subscriber that needs more asks the registry, through its public face,
 * under its own access rules, so an event can never carry personal data past them.
 */
export interface RegistryEventMap {
  /**
   * A person was enrolled (at a desk, or a held enrolment kept as new): the person is active
   * from this transaction on. Bulk import does not publish it.
   */
  personEnrolled: { personId: string };
  /** A death was recorded: the person's status is now `deceased`. */
  personDied: { personId: string };
  /** `mergedId` was merged into `survivorId`, which holds the person from now on. */
  personsMerged: { mergedId: string; survivorId: string };
  /** An approved erasure destroyed the person's data key: the status is now `erased`. */
  personErased: { personId: string };
}

export type RegistryEventName = keyof RegistryEventMap;

/**
 * A subscriber runs inside the registry write's transaction, so what it does commits or rolls
 * back with the write: a card is never left verifying for a person recorded dead, and a failing
 * subscriber (it throws) refuses the whole write rather than leaving the modules out of step.
 */
export type RegistryEventHandler<Name extends RegistryEventName> = (
  trx: Transaction<Database>,
  event: Readonly<RegistryEventMap[Name]>,
) => Promise<void>;

type Subscribers = { [Name in RegistryEventName]: RegistryEventHandler<Name>[] };

/**
 * The registry's lifecycle events (issue #12, point 5). The registry publishes; modules that
 * sit above it (credentials now; programs, distribution, ledger and notifications later)
 * subscribe where the application is composed (`src/app.ts`), so the registry imports none of
 * them. Subscribers run one after the other, in the order they subscribed.
 *
 * @example
 *   const events = new RegistryEvents();
 *   events.on('personDied', (trx, { personId }) => revokeCards(trx, personId));
 *   await events.publish(trx, 'personDied', { personId }); // inside the write's transaction
 */
export class RegistryEvents {
  readonly #subscribers: Subscribers = {
    personEnrolled: [],
    personDied: [],
    personsMerged: [],
    personErased: [],
  };

  on<Name extends RegistryEventName>(name: Name, handler: RegistryEventHandler<Name>): void {
    this.#subscribers[name].push(handler);
  }

  async publish<Name extends RegistryEventName>(
    trx: Transaction<Database>,
    name: Name,
    event: RegistryEventMap[Name],
  ): Promise<void> {
    // A copy, frozen: one subscriber cannot change what the next one is told.
    const told = Object.freeze({ ...event });
    // Safe: `on` files each handler under the name whose event it takes; TypeScript reads the
    // generic index as every event type at once.
    const handlers = this.#subscribers[name] as RegistryEventHandler<Name>[];
    for (const handler of handlers) await handler(trx, told);
  }
}
