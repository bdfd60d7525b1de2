import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
} from '../../src/modules/access/access-test-kit.js';

interface OpenApiResponse {
  content?: Record<string, { schema: { $ref?: string } }>;
}
interface OpenApiDocument {
  components: { schemas: Record<string, { properties: Record<string, unknown> }> };
  paths: Record<string, Record<string, { responses: Record<string, OpenApiResponse> }>>;
}

/** Sends raw bytes to the listening server and returns everything it answers. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * Every error is RFC 9457 problem+json (issue #11, point 8): also the ones raised before a
 * route runs (an over-long path segment, 414) and while Node.js parses the request (an
 * over-long URL or headers, 431); and the OpenAPI document lists them per route.
 */
describe('problem answers outside the routes, and in the OpenAPI document', () => {
  let kit: AccessTestApp;
  let port = 0;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    await kit.app.listen({ port: 0, host: '127.0.0.1' });
    const address = kit.app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => kit?.close());

  it('answers an over-long path segment 414 as problem+json', async () => {
    const response = await kit.app.inject({
      url: `/api/persons/${'a'.repeat(500)}?purpose=enrolment`,
    });
    expect(response.statusCode).toBe(414);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 414, code: 'AMP_URI_TOO_LONG' });
  });

  it('answers an over-long URL 431 as problem+json on the socket', async () => {
    const url = `/api/persons?purpose=enrolment&name=${'x'.repeat(20_000)}`;
    const answer = await rawExchange(port, `GET ${url} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ status: 431, code: 'AMP_HEADERS_TOO_LARGE' });
  });

  it('answers a malformed request 400 as problem+json on the socket', async () => {
    const answer = await rawExchange(port, 'NOT A REQUEST\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'AMP_VALIDATION' });
  });

  it('lists the problem answers of each route with one shared Problem schema', async () => {
    const response = await kit.app.inject({ url: '/api/openapi.json' });
    const document: OpenApiDocument = response.json();
    expect(Object.keys(document.components.schemas.Problem?.properties ?? {})).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'code', 'detail', 'errors']),
    );
    const statuses = (path: string, method: string) =>
      Object.keys(document.paths[path]?.[method]?.responses ?? {});
    const problemRef = (path: string, method: string, status: string) =>
      document.paths[path]?.[method]?.responses[status]?.content?.['application/problem+json']
        ?.schema.$ref;
    expect(statuses('/api/persons/{personId}', 'get')).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '429', '500', '503']),
    );
    expect(statuses('/api/persons', 'post')).toEqual(
      expect.arrayContaining(['201', '202', '400', '401', '403', '409', '413', '415', '429']),
    );
    expect(problemRef('/api/persons', 'post', '409')).toBe('#/components/schemas/Problem');
    // Public routes need no session: no 401 or 403 is promised for them.
    expect(statuses('/api/catalogue', 'get')).not.toContain('401');
    // Probes are never shed (admission control), so they declare no 503.
    expect(statuses('/healthz', 'get')).toContain('500');
    expect(statuses('/healthz', 'get')).not.toContain('503');
    expect(statuses('/api/credentials/trust-list', 'get')).not.toContain('403');
  });

  it('still sends every member of a problem through the response schema', async () => {
    const response = await kit.app.inject({
      url: `/api/persons/${randomUUID()}?purpose=enrolment`,
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      type: expect.stringContaining('amp-unauthenticated'),
      title: 'Sign-in required',
      status: 401,
      code: 'AMP_UNAUTHENTICATED',
      instance: '/api/persons/:personId',
    });
    const invalid = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: 'x' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors[0]).toMatchObject({ field: expect.stringContaining('body') });
  });
});
