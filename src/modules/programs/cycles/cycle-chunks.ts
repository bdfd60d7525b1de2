/**
 * The person ids of chunk `index` of `total`: `[from, to)` of the UUID's first 16 bits, the
 * last one open-ended. A cycle's resumable run and the sealed batch evaluator both work chunk
 * by chunk.
 *
 * @example
 *   chunkRange(0, 64); // { from: '00000000-0000-…', to: '04000000-0000-…' }
 */
export function chunkRange(index: number, total: number): { from: string; to: string | undefined } {
  const bound = (chunk: number) =>
    `${Math.floor((chunk * 0x10000) / total)
      .toString(16)
      .padStart(4, '0')}0000-0000-0000-0000-000000000000`;
  return { from: bound(index), to: index + 1 < total ? bound(index + 1) : undefined };
}
