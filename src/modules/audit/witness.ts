import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Static } from 'typebox';
import { limits } from '../../limits.js';
import type { TreeHeadView } from '../../shared/api/audit.js';
import { auditLimits } from './limits.js';

/** A signed tree head as published: the API's `TreeHeadView`, one JSON line in the file. */
export type PublishedTreeHead = Static<typeof TreeHeadView>;

/**
 * Somewhere outside the database that remembers every signed tree head. A log is evident
 * against rollback only if something the database's holder cannot rewrite remembers a newer
 * head than the log still has (README: "Rollback and the witness").
 */
export interface TreeHeadWitness {
  /** For logs: "file /mnt/witness/amparo.jsonl", "url https://…" (no credentials). */
  readonly description: string;
  /** Resolves once the head is durably stored by the witness; rejects otherwise. */
  record(head: PublishedTreeHead): Promise<void>;
}

/**
 * Appends each head as one JSON line and syncs it to disk before resolving. Meant for storage
 * the database's administrators cannot write (another disk, host or account; append-only
 * attributes such as `chattr +a` help).
 *
 * @example
 *   const witness = new FileWitness('/mnt/witness/amparo-tree-heads.jsonl');
 *   await witness.record(treeHeadView(head));
 */
export class FileWitness implements TreeHeadWitness {
  readonly description: string;
  readonly #filePath: string;

  constructor(filePath: string) {
    this.#filePath = filePath;
    this.description = `file ${filePath}`;
  }

  async record(head: PublishedTreeHead): Promise<void> {
    await mkdir(path.dirname(this.#filePath), { recursive: true });
    const file = await open(this.#filePath, 'a', 0o640);
    try {
      await file.appendFile(`${JSON.stringify(head)}\n`, 'utf8');
      await file.datasync();
    } finally {
      await file.close();
    }
  }
}

/**
 * POSTs each head as JSON to a witness service (another organisation, an auditor's server, a
 * transparency log), which answers 2xx once it has stored it.
 */
export class HttpWitness implements TreeHeadWitness {
  readonly description: string;
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs: number = auditLimits.witnessPostTimeoutMs) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    const shown = new URL(url);
    this.description = `url ${shown.origin}${shown.pathname}`;
  }

  async record(head: PublishedTreeHead): Promise<void> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(head),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer();
    if (!response.ok) {
      throw Object.assign(new Error(`witness answered HTTP ${response.status}`), {
        code: `HTTP_${response.status}`,
      });
    }
  }
}

/** The witnesses configured by AMPARO_AUDIT_WITNESS_FILE and AMPARO_AUDIT_WITNESS_URL. */
export function witnessesFrom(settings: {
  witnessFile: string | undefined;
  witnessUrl: string | undefined;
}): TreeHeadWitness[] {
  const witnesses: TreeHeadWitness[] = [];
  if (settings.witnessFile !== undefined) witnesses.push(new FileWitness(settings.witnessFile));
  if (settings.witnessUrl !== undefined) witnesses.push(new HttpWitness(settings.witnessUrl));
  return witnesses;
}

/** What a witness file holds: its largest head, and the lines that are not heads at all. */
export interface WitnessFileContents {
  largest: PublishedTreeHead | undefined;
  headLines: number;
  malformedLines: number[];
}

/**
 * The heads of a witness file in file order, read line by line (it grows by about 1,440 lines
 * a day, so it is never held whole). Lines that are not heads (a torn last write, damage) are
 * passed to `onMalformed` with their number. A missing file yields nothing.
 */
export async function* witnessFileHeads(
  filePath: string,
  onMalformed: (lineNumber: number) => void = () => undefined,
): AsyncGenerator<PublishedTreeHead> {
  let stream: ReturnType<typeof createReadStream>;
  try {
    stream = createReadStream(filePath, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    if (Reflect.get(Object(error), 'code') === 'ENOENT') return;
    throw error;
  }
  let lineNumber = 0;
  for await (const line of createInterface({
    input: stream,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const head = parsePublishedHead(line);
    if (head === undefined) onMalformed(lineNumber);
    else yield head;
  }
}

/** Reads a whole witness file for its largest head (tests, and a look at a file by hand). */
export async function readWitnessFile(filePath: string): Promise<WitnessFileContents> {
  const contents: WitnessFileContents = { largest: undefined, headLines: 0, malformedLines: [] };
  for await (const head of witnessFileHeads(filePath, (line) =>
    contents.malformedLines.push(line),
  )) {
    contents.headLines += 1;
    if (contents.largest === undefined || head.treeSize > contents.largest.treeSize) {
      contents.largest = head;
    }
  }
  return contents;
}

/** A published head from its JSON text, checked field by field; undefined if it is not one. */
export function parsePublishedHead(text: string): PublishedTreeHead | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (name: string): unknown => Reflect.get(value, name);
  const treeSize = field('treeSize');
  const rootHash = field('rootHash');
  const timestampMs = field('timestampMs');
  const keyId = field('keyId');
  const signature = field('signature');
  if (
    !Number.isSafeInteger(treeSize) ||
    !Number.isSafeInteger(timestampMs) ||
    typeof rootHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(rootHash) ||
    typeof keyId !== 'string' ||
    keyId.length > limits.merkle.treeHeadKeyIdLengthMax ||
    typeof signature !== 'string' ||
    !/^[0-9a-f]{128}$/.test(signature)
  ) {
    return undefined;
  }
  // Safe: both were just checked to be safe integers.
  const size = treeSize as number;
  const timestamp = timestampMs as number;
  if (size < 0 || timestamp < 0) return undefined;
  return {
    treeSize: size,
    rootHash,
    timestampMs: timestamp,
    signedAt: new Date(timestamp).toISOString(),
    keyId,
    signature,
  };
}
