import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on the reference machine: more workers only add contention.
    maxWorkers: 2,
    // Each worker runs its test files one after another in one process, keeping the modules it
    // has loaded: with isolation, every file re-imported Fastify, Kysely, PGlite and the app
    // (two fifths of CI's worker time; import 103 s → 16 s for the credentials and audit files).
    // No test stubs modules, globals or the environment (vi.mock, vi.stubEnv, process.env
    // writes): keep it so, and give each file its own database and server, as test/db.ts does.
    isolate: false,
  },
});
