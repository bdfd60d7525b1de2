import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take a worker a minute or more, in the order they start. CI's two workers take
 * files from one queue; a long file taken last kept one worker busy while the other sat idle
 * at the end. CI has no cache of earlier durations (a clean `npm ci`), so vitest's own order
 * there is largest file first, and these files are small: the resumable import and the cards
 * command were about 125th and 170th of 241. Measured under load 8-11: the authorisation matrix
 * (PostgreSQL run only) 2-6 min, the browser tests (embedded run only) 15-130 s each, the
 * import's resume 116 s, the cards command 98 s. Add a file here when CI shows it long.
 */
const startFirst: readonly RegExp[] = [
  /^test\/access\/authorization-matrix\.test\.ts$/,
  /^src\/modules\/registry\/import\/resume\.test\.ts$/,
  /^src\/modules\/credentials\/cards-cli\.test\.ts$/,
  // Four `amparo` commands on an embedded database on disk: 194 s under load 15 (2026-12-06).
  /^src\/modules\/programs\/cycles\/cycle-resume\.test\.ts$/,
  // The browser tests, each with its own server and Chromium.
  /^test\/e2e\//,
];

/**
 * Vitest's order (failed first, then longest first when a cache of earlier runs exists, else
 * largest file first), with the files of `startFirst` moved ahead in that list's order. Array
 * sorting is stable, so within each group vitest's order stays.
 */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const relative = path.relative(file.project.config.root, file.moduleId).split(path.sep);
      const index = startFirst.findIndex((pattern) => pattern.test(relative.join('/')));
      return index === -1 ? startFirst.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    // Known-long files start first, so neither worker is left with one at the end (above).
    sequence: { sequencer: LongFilesFirst },
  },
});
