/**
 * Benchmark of the Merkle library at audit-log scale. Not a test: run by hand and copy the
 * numbers into BENCHMARKS.md with this command (it belongs under bench/ once that is opened):
 *
 *   npx tsx src/modules/audit/merkle/merkle-benchmark.ts [leafCount]
 */
import { performance } from 'node:perf_hooks';
import { leafHash } from './hash.js';
import { generateConsistencyProof, generateInclusionProof } from './index.js';
import { memoryLeafHashSource } from './leaf-hash-source.js';
import { MerkleFrontier } from './merkle-frontier.js';
import { rootFromLeafHashes } from './tree-hash.js';

async function main(): Promise<void> {
  const leafCount = Number(process.argv[2] ?? 1_000_000);
  // Entries shaped like audit rows (~150 bytes of JSON), built before timing starts.
  const encoder = new TextEncoder();
  const entries = Array.from({ length: leafCount }, (_, i) =>
    encoder.encode(
      JSON.stringify({
        sequence: i,
        at: 1_700_000_000_000 + i,
        operatorId: 'a3f1c2de-0000-4000-8000-000000000001',
        purpose: 'eligibility_review',
        action: 'read',
        personId: `0b9c1c1e-7a2d-4f0e-9a0c-${String(i).padStart(12, '0')}`,
      }),
    ),
  );

  const leaves = time(`leafHash × ${leafCount}`, () => entries.map(leafHash));
  const batchRoot = time(`rootFromLeafHashes over ${leafCount}`, () => rootFromLeafHashes(leaves));
  const incrementalRoot = time(`MerkleFrontier.append × ${leafCount} + root()`, () => {
    const frontier = new MerkleFrontier();
    for (const leaf of leaves) frontier.append(leaf);
    return frontier.root();
  });
  if (Buffer.compare(Buffer.from(batchRoot), Buffer.from(incrementalRoot)) !== 0) {
    throw new Error('batch and incremental roots differ');
  }
  const source = memoryLeafHashSource(leaves);
  await timeAsync('inclusion proof of leaf 0 (re-hashes ~all leaves)', () =>
    generateInclusionProof(source, 0, leafCount),
  );
  await timeAsync('consistency proof n/3 → n (re-hashes ~all leaves)', () =>
    generateConsistencyProof(source, Math.floor(leafCount / 3), leafCount),
  );
  console.log(`node ${process.version}, root ${Buffer.from(batchRoot).toString('hex')}`);
}

// CPU time is printed beside wall time because the reference machine is shared: when other
// work competes for the two cores, CPU time is the better estimate of an idle machine's wall time.
function report(label: string, startedAt: number, cpuAt: NodeJS.CpuUsage): void {
  const cpu = process.cpuUsage(cpuAt);
  const wallMs = performance.now() - startedAt;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`${label}: ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
}

function time<T>(label: string, run: () => T): T {
  const startedAt = performance.now();
  const cpuAt = process.cpuUsage();
  const result = run();
  report(label, startedAt, cpuAt);
  return result;
}

async function timeAsync<T>(label: string, run: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const cpuAt = process.cpuUsage();
  const result = await run();
  report(label, startedAt, cpuAt);
  return result;
}

await main();
