import { readFile, stat } from 'node:fs/promises';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { AuditProblem } from './audit-problem.js';
import { hashesEqual, verifyConsistencyProof, verifyTreeHead } from './merkle/index.js';
import { type PublishedTreeHead, parsePublishedHead, witnessFileHeads } from './witness.js';

/**
 * A tree head remembered outside the database: a witness file's line, one given to
 * `amparo audit verify --trusted-head`, or a size and root an auditor wrote down. The log must
 * still be at least this long and hold exactly these entries at its start.
 */
export interface TrustedHead {
  treeSize: number;
  rootHash: Uint8Array;
  /** The signed form, when the source kept it; its signature is checked when it disagrees. */
  signed: PublishedTreeHead | undefined;
}

/** Where trusted heads come from; a witness file is streamed, never held whole. */
export interface TrustedHeadSource {
  /** For the report: "witness file …", "--trusted-head 12:ab…". */
  readonly description: string;
  heads(): AsyncIterable<TrustedHead>;
  /** Lines that were not heads (a torn last write, damage), known once `heads` is read. */
  malformedLines(): number;
}

/** What the checked log offers the trusted-head check (implemented by the verifier). */
export interface CheckedLog {
  /** Entries checked, all of them intact. */
  readonly size: number;
  rootAt(size: number): Uint8Array;
  consistencyProof(fromSize: number, toSize: number): Promise<Uint8Array[]>;
  /** The stored head of that size, if any. */
  storedRootAt(size: number): Uint8Array | undefined;
}

/** What one source's check found, for the report. */
export interface TrustedSourceReport {
  source: string;
  headsChecked: number;
  largestTreeSize: number | null;
  malformedLines: number;
}

/**
 * Reads a trusted-head argument: `SIZE:ROOTHEX` (as `amparo audit verify` prints it), a file
 * holding one published head as JSON (`amparo audit sign --json`, `GET
 * /api/audit/tree-heads/latest`), or a witness file of JSON lines. Undefined for a missing or
 * empty file.
 */
export async function loadTrustedHeads(argument: string): Promise<TrustedHeadSource | undefined> {
  const written = /^(?:tree-head:)?(\d{1,16}):([0-9a-f]{64})$/.exec(argument.trim());
  if (written !== null) {
    const head = { treeSize: Number(written[1]), rootHash: Buffer.from(written[2]!, 'hex') };
    return fixedSource(`--trusted-head ${argument.trim()}`, { ...head, signed: undefined });
  }
  const info = await stat(argument).catch(() => undefined);
  if (info === undefined || info.size === 0) return undefined;
  const single = await readSingleHead(argument, info.size);
  if (single !== undefined) return fixedSource(`tree head file ${argument}`, fromPublished(single));
  let malformed = 0;
  return {
    description: `witness file ${argument}`,
    async *heads() {
      malformed = 0;
      for await (const head of witnessFileHeads(argument, () => {
        malformed += 1;
      })) {
        yield fromPublished(head);
      }
    },
    malformedLines: () => malformed,
  };
}

function fixedSource(description: string, head: TrustedHead): TrustedHeadSource {
  return {
    description,
    async *heads() {
      yield head;
    },
    malformedLines: () => 0,
  };
}

/** A small file holding one pretty-printed JSON head; undefined when it is anything else. */
async function readSingleHead(
  filePath: string,
  sizeBytes: number,
): Promise<PublishedTreeHead | undefined> {
  if (sizeBytes > 64 * 1024) return undefined;
  const text = await readFile(filePath, 'utf8');
  // A witness file's lines are single-line JSON: only a multi-line text is one document.
  if (text.trim().split('\n').length < 2) return undefined;
  return parsePublishedHead(text);
}

function fromPublished(head: PublishedTreeHead): TrustedHead {
  return { treeSize: head.treeSize, rootHash: Buffer.from(head.rootHash, 'hex'), signed: head };
}

/**
 * Checks the log against every head of a source, after every entry and stored head has been
 * checked: each head must still be in the log with the entry recording it (a shorter log was
 * rolled back), cover exactly the log's first entries, and still be stored. Checking every
 * head, not only the largest, matters: a log rolled back and grown again gets new heads, which
 * the witness also takes, so the largest head alone would agree with the forged log. The
 * largest is also checked the way an outside auditor would, with a consistency proof to the
 * whole log. A head that disagrees is trusted only if its signature verifies.
 */
export async function checkTrustedSource(
  log: CheckedLog,
  source: TrustedHeadSource,
  keys: Pick<KeyStore, 'auditSigning'>,
): Promise<{ problem: AuditProblem | null; report: TrustedSourceReport }> {
  const report: TrustedSourceReport = {
    source: source.description,
    headsChecked: 0,
    largestTreeSize: null,
    malformedLines: 0,
  };
  let largest: TrustedHead | undefined;
  let problem: AuditProblem | null = null;
  for await (const head of source.heads()) {
    problem = checkOneHead(log, head, source.description, keys);
    if (problem !== null) break;
    report.headsChecked += 1;
    if (largest === undefined || head.treeSize > largest.treeSize) largest = head;
  }
  if (problem === null && largest !== undefined) {
    problem = await proveConsistency(log, largest, source.description);
  }
  report.largestTreeSize = largest?.treeSize ?? null;
  report.malformedLines = source.malformedLines();
  return { problem, report };
}

function checkOneHead(
  log: CheckedLog,
  trusted: TrustedHead,
  source: string,
  keys: Pick<KeyStore, 'auditSigning'>,
): AuditProblem | null {
  const size = trusted.treeSize;
  // Each head is followed by the entry recording it, written in the same transaction.
  const rolledBack = log.size <= size;
  if (!rolledBack && hashesEqual(log.rootAt(size), trusted.rootHash)) {
    const stored = log.storedRootAt(size);
    if (stored !== undefined && hashesEqual(stored, trusted.rootHash)) return null;
    return problem(
      'tree_head_missing',
      size,
      size,
      `tree head ${size} from ${source} is not in the database`,
    );
  }
  if (trusted.signed !== undefined && !signatureHolds(trusted.signed, keys)) {
    return problem(
      'trusted_head_invalid',
      null,
      size,
      `${source}: the signature of tree head ${size} does not verify with audit key ${keys.auditSigning.kid}`,
    );
  }
  if (rolledBack) {
    return problem(
      'log_rolled_back',
      log.size,
      size,
      `the log holds ${log.size} entries, but tree head ${size} from ${source} covers ${size} and its record: the entries from ${log.size} on were removed`,
    );
  }
  return inconsistent(size, source);
}

async function proveConsistency(
  log: CheckedLog,
  trusted: TrustedHead,
  source: string,
): Promise<AuditProblem | null> {
  const proof = await log.consistencyProof(trusted.treeSize, log.size);
  const consistent = verifyConsistencyProof({
    oldSize: trusted.treeSize,
    newSize: log.size,
    oldRoot: trusted.rootHash,
    newRoot: log.rootAt(log.size),
    proof,
  });
  return consistent ? null : inconsistent(trusted.treeSize, source);
}

function inconsistent(size: number, source: string): AuditProblem {
  return problem(
    'trusted_head_inconsistent',
    null,
    size,
    `the first ${size} entries are not those tree head ${size} from ${source} covered: the log was rolled back and written again, or rewritten`,
  );
}

function signatureHolds(head: PublishedTreeHead, keys: Pick<KeyStore, 'auditSigning'>): boolean {
  if (head.keyId !== keys.auditSigning.kid) return false;
  return verifyTreeHead(
    {
      size: head.treeSize,
      rootHash: Buffer.from(head.rootHash, 'hex'),
      timestampMs: head.timestampMs,
      keyId: head.keyId,
      signature: Buffer.from(head.signature, 'hex'),
    },
    keys.auditSigning.publicKey,
  );
}

function problem(
  kind: AuditProblem['kind'],
  leafIndex: number | null,
  treeSize: number,
  detail: string,
): AuditProblem {
  return { kind, leafIndex, treeSize, detail };
}
