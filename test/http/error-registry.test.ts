import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
} from '../../src/modules/access/access-test-kit.js';
import { AmparoError, registeredErrors } from '../../src/platform/errors.js';

/** Production source files under src/ (tests and test kits left out). */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    const production = /\.ts$/.test(entry.name) && !/(\.test|-test-kit)\.ts$/.test(entry.name);
    return production ? [file] : [];
  });
}

/**
 * One registry for every AMP_* code (issue #12, point 8): each module registers its error
 * class and codes, and the one problem handler answers them, so no module's error escapes a
 * route as a bare 500.
 */
describe('the error registry', () => {
  let kit: AccessTestApp;

  beforeAll(async () => {
    kit = await buildAccessTestApp({
      addRoutes: (app) => {
        // A route that throws, as a module's route would, the registered error it is asked for.
        app.get<{ Params: { code: string } }>('/test-errors/:code', async (request) => {
          const entry = registeredErrors().find((each) => each.code === request.params.code);
          if (entry === undefined) throw new Error(`unregistered ${request.params.code}`);
          throw entry.example();
        });
      },
    });
  });
  afterAll(async () => kit?.close());

  it('gives every registered code an error status and a title', () => {
    const entries = registeredErrors();
    // The platform's codes, the credentials module's and the codec's, at least.
    for (const code of ['AMP_VALIDATION', 'AMP_LIST_MALFORMED', 'AMP_CRED_EXPIRED']) {
      expect(entries.map((entry) => entry.code)).toContain(code);
    }
    for (const entry of entries) {
      expect(entry.code, entry.code).toMatch(/^AMP_[A-Z0-9_]+$/);
      expect(Number.isInteger(entry.answer.status), entry.code).toBe(true);
      expect(entry.answer.status, entry.code).toBeGreaterThanOrEqual(400);
      expect(entry.answer.status, entry.code).toBeLessThan(600);
      expect(entry.answer.title.trim().length, entry.code).toBeGreaterThan(0);
      expect(entry.example(), entry.code).toBeInstanceOf(entry.errorClass);
    }
  });

  it('registers every error class in src/ that carries a code', () => {
    const registeredClasses = new Set(registeredErrors().map((entry) => entry.errorClass.name));
    const codedClass = /export class (\w+) extends Error \{[^}]*?readonly code\b/gs;
    const found = sourceFiles('src').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(codedClass)].map((match) => match[1]),
    );
    expect(found).toEqual(expect.arrayContaining(['AmparoError', 'CredentialsError']));
    for (const name of found) expect(registeredClasses, name).toContain(name);
  });

  it('answers every registered code, thrown from a route, as its registered problem', async () => {
    for (const entry of registeredErrors()) {
      const response = await kit.app.inject({ url: `/test-errors/${entry.code}` });
      expect(response.statusCode, entry.code).toBe(entry.answer.status);
      expect(response.headers['content-type'], entry.code).toContain('application/problem+json');
      expect(response.json(), entry.code).toMatchObject({
        status: entry.answer.status,
        code: entry.code,
        title: entry.answer.title,
      });
      // AMP_INTERNAL is the answer for what no class names; nothing registered falls into it.
      if (entry.code !== 'AMP_INTERNAL') expect(response.statusCode, entry.code).not.toBe(500);
    }
  });

  it("sends a module refusal's message as the detail, and an AmparoError's own detail", async () => {
    const listMalformed = await kit.app.inject({ url: '/test-errors/AMP_LIST_MALFORMED' });
    expect(listMalformed.json()).toMatchObject({
      status: 422,
      detail: 'Example of AMP_LIST_MALFORMED.',
    });
    const notFound = await kit.app.inject({ url: '/test-errors/AMP_NOT_FOUND' });
    expect(notFound.json().detail).toBeUndefined();
    expect(new AmparoError('AMP_NOT_FOUND').status).toBe(404);
  });
});
