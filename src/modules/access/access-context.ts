import { randomBytes } from 'node:crypto';
import { hash, type Options } from '@node-rs/argon2';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { blindIndex } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';
import type { AuthenticationEvent, SignInAttemptEvent } from './authentication-events.js';
import { passwordHashOptions } from './demo-operators.js';
import { accessLimits } from './limits.js';
import type { AuditRecorder } from './person-access-guard.js';
import type { PersonContacts } from './person-contact.js';

/** What the access plugin needs from the application. */
export interface AccessOptions {
  db: Kysely<Database>;
  /** Seals TOTP secrets and SMS recipients, keys the attempt counters and code hashes. */
  masterKey: Buffer;
  /** The registry's answers about persons: who an ID number names, their phone for a text. */
  contacts: PersonContacts;
  /** Time source. Tests pass a clock they move forward; production uses the system clock. */
  clock?: () => Date;
  /**
   * argon2id parameters for new password hashes and the dummy hash that unknown usernames
   * are checked against. Production leaves the default (OWASP minimum); tests pass cheaper.
   */
  passwordHashOptions?: Options;
  /** Mark cookies Secure even on plain HTTP (TLS ends at a proxy and trustProxy is off). */
  secureCookies?: boolean;
  /**
   * Requests per minute per client address to each sign-in route, counted in this process
   * (the database counters are the limit that holds across processes).
   */
  signInRequestsPerMinuteMax?: number;
  /** Lifetime of a device token when the request names none. */
  deviceTokenDaysDefault?: number;
  /** The audit log, for routes that read person records (the clerk's slip code). */
  audit?: AuditRecorder;
  /** Called for every sign-in attempt, success or not, before the answer is sent. */
  onSignInAttempt?: (event: SignInAttemptEvent, request: FastifyRequest) => Promise<void> | void;
  /** Called for sign-out, token creation and revocation, password change and code issue. */
  onAuthenticationEvent?: (
    event: AuthenticationEvent,
    request: FastifyRequest,
  ) => Promise<void> | void;
}

/** The resolved options plus helpers shared by the access services. */
export interface AccessContext {
  db: Kysely<Database>;
  audit: AuditRecorder;
  masterKey: Buffer;
  contacts: PersonContacts;
  now: () => Date;
  hashOptions: Options;
  secureCookies: boolean;
  signInRequestsPerMinuteMax: number;
  deviceTokenDaysDefault: number;
  onSignInAttempt: NonNullable<AccessOptions['onSignInAttempt']>;
  onAuthenticationEvent: NonNullable<AccessOptions['onAuthenticationEvent']>;
  /** A valid argon2id hash of a random password: the stand-in for unknown usernames. */
  dummyPasswordHash: () => Promise<string>;
  /** A 16-byte keyed hash, so counters can match a value without storing it. */
  digest: (kind: 'sign_in_subject' | 'sign_in_address', value: string) => Buffer;
}

/**
 * @example
 *   const context = createAccessContext({ db, masterKey: keys.masterKey });
 */
export function createAccessContext(options: AccessOptions): AccessContext {
  const hashOptions = options.passwordHashOptions ?? passwordHashOptions;
  let dummy: Promise<string> | undefined;
  return {
    db: options.db,
    audit: options.audit ?? refuseUnaudited,
    masterKey: options.masterKey,
    contacts: options.contacts,
    now: options.clock ?? (() => new Date()),
    hashOptions,
    secureCookies: options.secureCookies ?? false,
    signInRequestsPerMinuteMax:
      options.signInRequestsPerMinuteMax ?? accessLimits.signIn.routeRequestsPerMinuteMax,
    deviceTokenDaysDefault:
      options.deviceTokenDaysDefault ?? accessLimits.session.deviceDaysDefault,
    onSignInAttempt: options.onSignInAttempt ?? (() => undefined),
    onAuthenticationEvent: options.onAuthenticationEvent ?? (() => undefined),
    dummyPasswordHash: () => {
      dummy ??= hash(randomBytes(32).toString('base64url'), hashOptions);
      return dummy;
    },
    digest: (kind, value) => blindIndex(options.masterKey, kind, value),
  };
}

/** Without an audit log, a route that must audit refuses rather than act unaudited. */
const refuseUnaudited: AuditRecorder = {
  append: () => Promise.reject(new Error('No audit log configured: refusing to act unaudited')),
};
