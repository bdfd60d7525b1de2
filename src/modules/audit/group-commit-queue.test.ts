import { describe, expect, it } from 'vitest';
import { GroupCommitQueue } from './group-commit-queue.js';

describe('GroupCommitQueue', () => {
  it('batches concurrent items, keeps flushes within the limit and gives each caller its own result', async () => {
    let inFlight = 0;
    let inFlightPeak = 0;
    const batchSizes: number[] = [];
    const queue = new GroupCommitQueue(
      async (items: number[]) => {
        inFlight += 1;
        inFlightPeak = Math.max(inFlightPeak, inFlight);
        batchSizes.push(items.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        return items.map((item) => item * 10);
      },
      { delayMs: 1, batchMax: 40, queueMax: 1_000, flushesInFlightMax: 2 },
    );
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => queue.submit(i)));
    expect(results).toEqual(Array.from({ length: 300 }, (_, i) => i * 10));
    expect(inFlightPeak).toBeLessThanOrEqual(2);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(40);
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(300);
    expect(batchSizes.length).toBeLessThan(300);
    await queue.close();
    await expect(queue.submit(1)).rejects.toThrow(/closed/);
  });

  it('rejects only the callers of the batch that failed, and serves sequential callers', async () => {
    const queue = new GroupCommitQueue(
      async (items: string[]) => {
        if (items.includes('bad')) throw new Error('batch failed');
        return items.map((item) => item.toUpperCase());
      },
      { delayMs: 1, batchMax: 10, queueMax: 100 },
    );
    const failed = await Promise.allSettled([queue.submit('a'), queue.submit('bad')]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    for (const item of ['x', 'y', 'z']) expect(await queue.submit(item)).toBe(item.toUpperCase());
    await queue.close();
  });

  it('refuses items beyond the queue bound', async () => {
    const queue = new GroupCommitQueue(async (items: number[]) => items, {
      delayMs: 50,
      batchMax: 100,
      queueMax: 2,
    });
    const accepted = [queue.submit(1), queue.submit(2)];
    await expect(queue.submit(3)).rejects.toMatchObject({ code: 'AMP_NOT_READY' });
    expect(await Promise.all(accepted)).toEqual([1, 2]);
    await queue.close();
  });
});
