/**
 * The console's only way to the Amparo API: same-origin fetch with the session cookie,
 * JSON in and out, and RFC 9457 problems turned into `ApiError`.
 *
 * State-changing requests always send `Content-Type: application/json` (a bodiless one sends
 * `{}`): the server refuses other content types on writes, which is its CSRF defence.
 *
 * @example
 *   const me = await apiGet<Me>('/api/auth/me');
 *   await apiSend('POST', '/api/auth/sign-out');
 */

/** One field the server refused, e.g. `{ field: 'body/attributes/sex', reason: 'must be one of F, M' }`. */
export interface FieldProblem {
  field: string;
  /** The server's English sentence; `code` and `params`, when sent, say it in any language. */
  reason: string;
  code?: string;
  params?: Record<string, string | number>;
}

export class ApiError extends Error {
  readonly status: number;
  /** The stable `AMP_*` code, or `AMP_NETWORK` when the server could not be reached. */
  readonly code: string;
  readonly fieldProblems: readonly FieldProblem[];

  constructor(status: number, code: string, detail: string, fieldProblems: FieldProblem[] = []) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldProblems = fieldProblems;
  }
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** GET a JSON resource; throws `ApiError` on any status from 400 up. */
export async function apiGet<T>(path: string): Promise<T> {
  return (await request<T>('GET', path, undefined)).body;
}

/** POST (or another write) with a JSON body; returns status and body (202 and 201 differ). */
export async function apiSend<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body: unknown = {},
): Promise<ApiAnswer<T>> {
  return request<T>(method, path, JSON.stringify(body), 'application/json');
}

/** POST raw text (a CSV import) with its own content type. */
export async function apiSendText<T>(
  path: string,
  text: string,
  contentType: string,
): Promise<ApiAnswer<T>> {
  return request<T>('POST', path, text, contentType);
}

/**
 * POST a file as the raw body with a bearer token instead of the session cookie. The CSRF
 * guard refuses cookie-signed writes that are not JSON, so a file upload (a CSV import)
 * authenticates with a short-lived device token; the cookie is left out because a request
 * carrying both, with different values, is refused.
 */
export async function apiUploadWithBearer<T>(
  path: string,
  file: Blob,
  contentType: string,
  bearerToken: string,
): Promise<ApiAnswer<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      credentials: 'omit',
      headers: {
        accept: 'application/json, application/problem+json',
        'content-type': contentType,
        authorization: `Bearer ${bearerToken}`,
      },
      body: file,
    });
  } catch {
    throw new ApiError(0, 'AMP_NETWORK', 'The server could not be reached.');
  }
  const parsed: unknown = await response.json().catch(() => null);
  if (response.status >= 400) throw problemFrom(response.status, parsed);
  // The response schema on the server is the contract; the caller names the type it reads.
  return { status: response.status, body: parsed as T };
}

async function request<T>(
  method: string,
  path: string,
  body: string | undefined,
  contentType?: string,
): Promise<ApiAnswer<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json, application/problem+json',
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      body,
    });
  } catch {
    throw new ApiError(0, 'AMP_NETWORK', 'The server could not be reached.');
  }
  const parsed: unknown = await response.json().catch(() => null);
  if (response.status >= 400) throw problemFrom(response.status, parsed);
  // The response schemas on the server are the contract; each caller names the type it reads.
  return { status: response.status, body: parsed as T };
}

function problemFrom(status: number, body: unknown): ApiError {
  const record = typeof body === 'object' && body !== null ? body : {};
  const code = Reflect.get(record, 'code');
  const detail = Reflect.get(record, 'detail') ?? Reflect.get(record, 'title');
  const errors = Reflect.get(record, 'errors');
  const fieldProblems = Array.isArray(errors)
    ? errors.filter(
        (error): error is FieldProblem =>
          typeof error?.field === 'string' && typeof error?.reason === 'string',
      )
    : [];
  return new ApiError(
    status,
    typeof code === 'string' ? code : `HTTP_${status}`,
    typeof detail === 'string' ? detail : `HTTP ${status}`,
    fieldProblems,
  );
}

/** The query string for a path, leaving out empty values. */
export function withQuery(
  path: string,
  query: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}
