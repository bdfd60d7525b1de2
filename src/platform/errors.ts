/**
 * The one registry of error codes. Every error the API returns is an `AmparoError` with a
 * stable `AMP_*` code, served as RFC 9457 problem+json. Codes are never renamed or reused:
 * clients and translations depend on them.
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

/** RFC 9457 problem details, with Amparo's stable code and field errors as extensions. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export function toProblem(error: AmparoError, instance?: string): ProblemDetails {
  const problem: ProblemDetails = {
    type: `https://amparo.dev/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: error.title,
    status: error.status,
    code: error.code,
  };
  if (error.detail !== undefined) problem.detail = error.detail;
  if (instance !== undefined) problem.instance = instance;
  if (error.errors !== undefined) problem.errors = error.errors;
  return problem;
}

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
