import { readFile, stat } from 'node:fs/promises';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { AuditProblem } from './audit-verify.js';
import { hashesEqual, verifyConsistencyProof, verifyTreeHead } from './merkle/index.js';
import { type PublishedTreeHead, parsePublishedHead, readWitnessFile } from './witness.js';

/**
 * A tree head remembered outside the database: the witness file's largest head, one given to
 * `amparo audit verify --trusted-head`, or a size and root an auditor wrote down. The log must
 * still be at least this long and hold exactly these entries at its start.
 */
export interface TrustedHead {
  treeSize: number;
  rootHash: Uint8Array;
  /** Where it came from, for the report: "witness file …", "--trusted-head 12:ab…". */
  source: string;
  /** The signed form, when the source kept it; its signature is checked. */
  signed: PublishedTreeHead | undefined;
  /** Lines of a witness file that were not heads (a torn last write, or damage). */
  malformedLines: number;
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

/**
 * Reads a trusted head: `SIZE:ROOTHEX` (as `amparo audit verify` prints it), or a file holding
 * one published head as JSON (`amparo audit sign --json`, `GET /api/audit/tree-heads/latest`)
 * or a witness file of JSON lines, of which the largest head counts. Undefined for an empty
 * or missing witness file.
 */
export async function loadTrustedHead(argument: string): Promise<TrustedHead | undefined> {
  const written = /^(?:tree-head:)?(\d{1,16}):([0-9a-f]{64})$/.exec(argument.trim());
  if (written !== null) {
    return {
      treeSize: Number(written[1]),
      rootHash: Buffer.from(written[2]!, 'hex'),
      source: `--trusted-head ${argument.trim()}`,
      signed: undefined,
      malformedLines: 0,
    };
  }
  const single = await readSingleHead(argument);
  if (single !== undefined) return fromPublished(single, `tree head file ${argument}`, 0);
  const contents = await readWitnessFile(argument);
  if (contents.largest === undefined) return undefined;
  return fromPublished(
    contents.largest,
    `witness file ${argument}`,
    contents.malformedLines.length,
  );
}

/** A small file holding one pretty-printed JSON head; undefined when it is anything else. */
async function readSingleHead(filePath: string): Promise<PublishedTreeHead | undefined> {
  const info = await stat(filePath).catch(() => undefined);
  if (info === undefined || info.size > 64 * 1024) return undefined;
  const text = await readFile(filePath, 'utf8');
  // A witness file's lines are single-line JSON: only a multi-line text is one document.
  if (text.trim().split('\n').length < 2) return undefined;
  return parsePublishedHead(text);
}

function fromPublished(
  head: PublishedTreeHead,
  source: string,
  malformedLines: number,
): TrustedHead {
  return {
    treeSize: head.treeSize,
    rootHash: Buffer.from(head.rootHash, 'hex'),
    source,
    signed: head,
    malformedLines,
  };
}

/**
 * Checks the log against a head remembered outside the database, after every entry and stored
 * head has been checked: its signature (when it has one), that the log still holds it and the
 * entry recording it (a shorter log was rolled back), that the log's first `treeSize` entries
 * are exactly the ones it covered (a consistency proof from it to the whole log, verified as
 * an outside auditor would), and that the database still has the head itself.
 */
export async function checkTrustedHead(
  log: CheckedLog,
  trusted: TrustedHead,
  keys: Pick<KeyStore, 'auditSigning'>,
): Promise<AuditProblem | null> {
  const size = trusted.treeSize;
  const signed = trusted.signed;
  if (signed !== undefined && !signatureHolds(signed, keys)) {
    return problem(
      'trusted_head_invalid',
      null,
      size,
      `${trusted.source}: the signature of tree head ${size} does not verify with audit key ${keys.auditSigning.kid}`,
    );
  }
  // Each head is followed by the entry recording it, written in the same transaction.
  if (log.size <= size) {
    return problem(
      'log_rolled_back',
      log.size,
      size,
      `the log holds ${log.size} entries, but tree head ${size} from ${trusted.source} covers ${size} and its record: the entries from ${log.size} on were removed`,
    );
  }
  const proof = await log.consistencyProof(size, log.size);
  const consistent =
    hashesEqual(log.rootAt(size), trusted.rootHash) &&
    verifyConsistencyProof({
      oldSize: size,
      newSize: log.size,
      oldRoot: trusted.rootHash,
      newRoot: log.rootAt(log.size),
      proof,
    });
  if (!consistent) {
    return problem(
      'trusted_head_inconsistent',
      null,
      size,
      `the first ${size} entries are not those tree head ${size} from ${trusted.source} covered: the log was rolled back and written again, or rewritten`,
    );
  }
  const stored = log.storedRootAt(size);
  if (stored === undefined || !hashesEqual(stored, trusted.rootHash)) {
    return problem(
      'tree_head_missing',
      size,
      size,
      `tree head ${size} from ${trusted.source} is not in the database`,
    );
  }
  return null;
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
