// The `amparo` command runs from one JavaScript file that esbuild bundles from src/ (npm
// packages stay outside it, loaded from node_modules as usual). Loading ~400 TypeScript
// modules through tsx's loader cost about two seconds of CPU on every start; the bundle loads
// in a fraction of that. It is rebuilt, in well under a second, whenever a file under src/ is
// newer than it, so an edit is never served stale; `npm ci` removes it with node_modules.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const sourceDir = path.join(root, 'src');
// Named after the checkout it was built from: git worktrees that share one node_modules
// (a symlink) would otherwise run each other's bundle, which is newer than their own sources.
const checkout = createHash('sha256').update(root).digest('hex').slice(0, 12);
const bundleFile = path.join(root, 'node_modules', '.cache', 'amparo', `main-${checkout}.mjs`);

/**
 * The path of an up-to-date bundle of src/main.ts, building it first when needed; `null`
 * when it cannot be written (node_modules read-only, as in some container images): the
 * caller then runs the sources through tsx, slower to start but the same program.
 */
export async function serverBundle() {
  if (bundleTimeMs() > newestSourceTimeMs(sourceDir)) return bundleFile;
  try {
    await buildBundle();
    return bundleFile;
  } catch (error) {
    if (['EACCES', 'EPERM', 'EROFS'].includes(error?.code)) return null;
    throw error;
  }
}

function bundleTimeMs() {
  try {
    return statSync(bundleFile).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest modification time under `dir` (files and folders, so a deletion counts). */
function newestSourceTimeMs(dir) {
  let newestMs = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    const entryMs = entry.isDirectory()
      ? newestSourceTimeMs(entryPath)
      : statSync(entryPath).mtimeMs;
    if (entryMs > newestMs) newestMs = entryMs;
  }
  return newestMs;
}

async function buildBundle() {
  const { build } = await import('esbuild');
  mkdirSync(path.dirname(bundleFile), { recursive: true });
  // Written aside and renamed, so a concurrent start never loads half a file.
  const partialFile = `${bundleFile}.${process.pid}.partial`;
  await build({
    entryPoints: [path.join(sourceDir, 'main.ts')],
    outfile: partialFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    packages: 'external',
    logLevel: 'error',
    plugins: [sourceLocations],
  });
  renameSync(partialFile, bundleFile);
}

/**
 * Modules find their files relative to their own source (`new URL('../../../migrations/',
 * import.meta.url)`, the import worker, geography's `../../shared/geography/divisions.json`).
 * In a bundle every module would share the bundle's URL, so each module's `import.meta.url` is replaced by the URL of its own source file: paths
 * resolve exactly as when running the sources.
 */
const sourceLocations = {
  name: 'amparo-source-locations',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(file, 'utf8');
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
        .replaceAll('import.meta.filename', JSON.stringify(file));
      return { contents, loader: 'ts' };
    });
  },
};
