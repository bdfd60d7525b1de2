/**
 * The one registry of error codes. Every error the API returns has a stable `AMP_*` code,
 * served as RFC 9457 problem+json by the one problem handler. The platform's own codes are
 * below and thrown as `AmparoError`; a module that throws its own error class registers the
 * class and its codes with `defineErrors`, so the handler answers them too instead of a 500.
 * Codes are never renamed or reused: clients and translations depend on them.
 *
 * @example
 *   throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such program' });
 */
export const errorCodes = {
  AMP_VALIDATION: { status: 400, title: 'The request is not valid' },
  AMP_UNAUTHENTICATED: { status: 401, title: 'Sign-in required' },
  AMP_FORBIDDEN: { status: 403, title: 'Not allowed' },
  AMP_PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    title: 'Choose your own password first (POST /api/auth/password)',
  },
  AMP_ATTRIBUTE_FORBIDDEN: {
    status: 403,
    title: 'This attribute is of a category Amparo never holds',
  },
  AMP_NOT_FOUND: { status: 404, title: 'Not found' },
  AMP_ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  AMP_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  AMP_CONFLICT: { status: 409, title: 'Conflict with the current state' },
  AMP_IDEMPOTENCY_MISMATCH: {
    status: 409,
    title: 'The idempotency key was already used with a different request',
  },
  AMP_REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  AMP_PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  AMP_URI_TOO_LONG: { status: 414, title: 'The URL is too long' },
  AMP_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  AMP_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  AMP_HEADERS_TOO_LARGE: { status: 431, title: 'The request line or headers are too large' },
  AMP_QUOTA_EXCEEDED: { status: 429, title: 'Read quota exceeded' },
  AMP_NOT_READY: { status: 503, title: 'The service is not ready' },
  AMP_INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** The HTTP status and English title a code is answered with. */
export interface ErrorAnswer {
  readonly status: number;
  readonly title: string;
}

/** One offending field of a request, named by its JSON pointer. */
export interface FieldError {
  field: string;
  /** The English sentence. */
  reason: string;
  /**
   * A stable code for the reason and its parameters, so a reader (the console, a refused-rows
   * file) can say it in another language; see `shared/import/refusals.ts`.
   */
  code?: string;
  params?: Readonly<Record<string, string | number>>;
}

/**
 * The base of a module's own error class: a code of the module's family, a message, and the
 * offending fields when there are any. The module registers the class with `defineErrors`.
 *
 * @example
 *   export class PaymentsError extends ModuleError<PaymentsErrorCode> {
 *     override readonly name = 'PaymentsError';
 *   }
 */
export abstract class ModuleError<Code extends string> extends Error {
  readonly code: Code;
  readonly errors: readonly FieldError[] | undefined;

  constructor(code: Code, message: string, errors?: readonly FieldError[]) {
    super(message);
    this.code = code;
    this.errors = errors;
  }
}

export interface AmparoErrorOptions {
  detail?: string;
  errors?: FieldError[];
  cause?: unknown;
  /** Sent as the `Retry-After` header (seconds) by the problem handler, e.g. for a 429. */
  retryAfterSeconds?: number;
}

export class AmparoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: AmparoErrorOptions = {}) {
    const entry = errorCodes[code];
    super(options.detail ?? entry.title, { cause: options.cause });
    this.name = 'AmparoError';
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * What a problem answer is made from: an `AmparoError`, or a registered module error turned
 * into one by `registeredProblem`.
 */
export interface ProblemSource {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
}

/** RFC 9457 problem details, with Amparo's stable code and field errors as extensions. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export function toProblem(error: ProblemSource, instance?: string): ProblemDetails {
  const problem: ProblemDetails = {
    type: `https://amparo.dev/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: error.title,
    status: error.status,
    code: error.code,
  };
  if (error.detail !== undefined) problem.detail = error.detail;
  if (instance !== undefined) problem.instance = instance;
  if (error.errors !== undefined) problem.errors = [...error.errors];
  return problem;
}

/** An error a module throws with a registered code (and, if it has them, field errors). */
export interface CodedError extends Error {
  readonly code: string;
  readonly errors?: readonly FieldError[] | undefined;
}

/** A module's error class and the answer for each of its codes. */
export interface ErrorFamily<Code extends string> {
  /** The class the module throws; the problem handler answers its instances. */
  readonly errorClass: abstract new (
    ...args: never[]
  ) => CodedError;
  readonly answers: Readonly<Record<Code, ErrorAnswer>>;
  /** Makes an error of the class with this code: the registry's test throws each from a route. */
  readonly example: (code: Code) => CodedError;
}

/** One registered code, with the class that carries it. */
export interface RegisteredError {
  readonly code: string;
  readonly answer: ErrorAnswer;
  readonly errorClass: ErrorFamily<string>['errorClass'];
  readonly example: () => CodedError;
}

const registered = new Map<string, RegisteredError>();

/**
 * Registers a module's error class and its codes. Called once, where the class is declared,
 * so an error of the class cannot exist without its answers being known. A code registered
 * twice with another answer or class is a programming error and stops the process at load.
 *
 * @example
 *   defineErrors({
 *     errorClass: CredentialsError,
 *     answers: { AMP_LIST_MALFORMED: { status: 422, title: 'The list is not well-formed' } },
 *     example: (code) => new CredentialsError(code, 'example'),
 *   });
 */
export function defineErrors<Code extends string>(family: ErrorFamily<Code>): void {
  // Safe: the keys of `answers` are exactly the family's codes (Record<Code, …>).
  for (const code of Object.keys(family.answers) as Code[]) {
    const answer = family.answers[code];
    const known = registered.get(code);
    if (known !== undefined) {
      const same =
        known.errorClass === family.errorClass &&
        known.answer.status === answer.status &&
        known.answer.title === answer.title;
      if (!same) throw new Error(`${code} is registered twice with different answers`);
      continue;
    }
    registered.set(code, {
      code,
      answer,
      errorClass: family.errorClass,
      example: () => family.example(code),
    });
  }
}

/**
 * Every registered code: the platform's first, in their order above, then the modules' by
 * code, so the list (and the OpenAPI document that shows it) does not depend on the order in
 * which modules happen to load.
 */
export function registeredErrors(): readonly RegisteredError[] {
  const entries = [...registered.values()];
  const platform = entries.filter((entry) => entry.errorClass === AmparoError);
  const modules = entries
    .filter((entry) => entry.errorClass !== AmparoError)
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return [...platform, ...modules];
}

/**
 * The problem a registered error is answered with (an `AmparoError` is its own), or null when
 * the error is not of a registered class or its code is not registered for that class. The message is the detail
 * for a refusal; a server-side failure (5xx) keeps it for the log, as for any internal error.
 */
export function registeredProblem(error: unknown): ProblemSource | null {
  if (error instanceof AmparoError) return error;
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') {
    return null;
  }
  const entry = registered.get(error.code);
  if (entry === undefined || !(error instanceof entry.errorClass)) return null;
  const fieldErrors = error.errors;
  return {
    code: entry.code,
    status: entry.answer.status,
    title: entry.answer.title,
    detail: entry.answer.status >= 500 ? undefined : error.message,
    errors: fieldErrors,
    retryAfterSeconds: undefined,
  };
}

defineErrors({
  errorClass: AmparoError,
  answers: errorCodes,
  example: (code) => new AmparoError(code),
});

/**
 * A configuration or start-up problem. The CLI prints `message` as one line, naming the
 * setting, and exits non-zero.
 */
export class ConfigError extends Error {
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}
