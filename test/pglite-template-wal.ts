/**
 * The embedded template's write-ahead log cut to what a start needs. A migrated PGlite's data
 * directory holds two 16 MB WAL segments — the one written to and one made ready for later — of
 * its 48 MB; every test database copies and unpacks all of it, and the copying and unpacking was
 * a third of a test database's start (1.5-1.8 s of CPU against 1.0-1.25 s slimmed, 2026-12-06,
 * load 22). Made after a switch to a new segment and a checkpoint, the template's redo point and
 * every record after it are in the segment being written: the others are not read again, and
 * that one is used only up to its last record. PostgreSQL then writes on past the file's end
 * (the in-memory file grows) and makes the next segment when it needs it.
 *
 * @example
 *   const slim = withOnlyWalSegment(dumpBytes, '000000010000000000000002');
 */
export function withOnlyWalSegment(tar: Buffer, segment: string): Buffer {
  const kept: Buffer[] = [];
  let offset = 0;
  let found = false;
  while (offset + blockSize <= tar.length) {
    const header = tar.subarray(offset, offset + blockSize);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(field(header, 124, 12) || '0', 8);
    const dataBlocks = Math.ceil(size / blockSize) * blockSize;
    const name = entryName(header);
    const data = tar.subarray(offset + blockSize, offset + blockSize + size);
    offset += blockSize + dataBlocks;
    const walSegment = /(?:^|\/)pg_wal\/([0-9A-F]{24})$/.exec(name)?.[1];
    if (walSegment === undefined) {
      kept.push(entry(header, data));
    } else if (walSegment === segment) {
      found = true;
      kept.push(entry(header, data.subarray(0, usedPages(data))));
    }
  }
  if (!found) throw new Error(`the dump holds no WAL segment ${segment}`);
  // A tar ends with two empty blocks.
  kept.push(Buffer.alloc(blockSize * 2));
  return Buffer.concat(kept);
}

const blockSize = 512;
const walPageSize = 8192;

/** The pages up to the last one with a byte written, and one page more. */
function usedPages(segment: Buffer): number {
  let last = segment.length - 1;
  while (last >= 0 && segment[last] === 0) last -= 1;
  const pages = Math.ceil((last + 1) / walPageSize) + 1;
  return Math.min(segment.length, pages * walPageSize);
}

function entry(header: Buffer, data: Buffer): Buffer {
  const copy = Buffer.from(header);
  copy.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  // The checksum is the sum of the header's bytes with its own field read as spaces.
  copy.fill(0x20, 148, 156);
  const sum = copy.reduce((total, byte) => total + byte, 0);
  copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  const padding = Buffer.alloc((blockSize - (data.length % blockSize)) % blockSize);
  return Buffer.concat([copy, data, padding]);
}

function entryName(header: Buffer): string {
  const name = field(header, 0, 100);
  const prefix = field(header, 257, 6) === 'ustar' ? field(header, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function field(header: Buffer, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return bytes
    .subarray(0, end === -1 ? length : end)
    .toString('ascii')
    .trim();
}
