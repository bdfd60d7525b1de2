import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import {
  auditLogSize,
  readLatestTreeHead,
  readLeafHashes,
  readPersonEntries,
  readTreeHeadAtSize,
  readTreeHeads,
  type TreeHeadRow,
} from './audit-repository.js';
import { CachedSubtreeSource } from './cached-subtree-source.js';
import { parseEntry } from './canonical-entry.js';
import { auditLimits } from './limits.js';
import { generateConsistencyProof, generateInclusionProof } from './merkle/index.js';

export interface InclusionProofView {
  leafIndex: number;
  treeSize: number;
  leafHash: Uint8Array;
  proof: Uint8Array[];
}

export interface ConsistencyProofView {
  fromSize: number;
  toSize: number;
  proof: Uint8Array[];
}

/** One line of "who looked at my record" (safeguard 4); the operator's identity is not shown. */
export interface PersonAccessView {
  leafIndex: number;
  time: string;
  actorKind: 'operator' | 'citizen' | 'system';
  role: string | null;
  region: string | null;
  purpose: string | null;
  action: string;
  outcome: 'allowed' | 'denied';
}

/**
 * Read side of the audit log: tree heads, proofs from the stored leaf hashes, and a person's
 * access history. Proof cost: the first proof reads every leaf hash of the tree once (32 bytes
 * per entry, in pages) to fill an in-memory cache of 1,024-leaf block hashes; later proofs read
 * under 2,048·log2(n) leaf hashes and combine at most n / 1,024 cached block hashes.
 *
 * @example
 * const proof = await auditLog.proofs.inclusionProof(12, head.treeSize);
 */
export class AuditProofs {
  readonly #db: Kysely<Database>;
  readonly #source: CachedSubtreeSource;

  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#source = new CachedSubtreeSource((start, end) => this.#readLeaves(start, end), {
      readLeavesMax: auditLimits.leafHashPageRows,
    });
  }

  latestTreeHead(): Promise<TreeHeadRow | undefined> {
    return readLatestTreeHead(this.#db);
  }

  treeHeadAtSize(treeSize: number): Promise<TreeHeadRow | undefined> {
    return readTreeHeadAtSize(this.#db, treeSize);
  }

  /** Heads with tree size ≥ `fromSize`, smallest first. */
  treeHeads(fromSize: number, limit: number): Promise<TreeHeadRow[]> {
    return readTreeHeads(this.#db, fromSize, Math.min(limit, auditLimits.treeHeadPageSizeMax));
  }

  /** Proof that leaf `leafIndex` is in the tree of the first `treeSize` entries. */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<InclusionProofView> {
    if (leafIndex >= treeSize) {
      throw new AmparoError('AMP_VALIDATION', { detail: 'leafIndex must be below treeSize' });
    }
    await this.#assertWithinLog(treeSize);
    const [leafHash] = await this.#source.getLeafHashes(leafIndex, leafIndex + 1);
    const proof = await generateInclusionProof(this.#source, leafIndex, treeSize);
    return { leafIndex, treeSize, leafHash: leafHash!, proof };
  }

  /** Proof that the tree of `fromSize` entries is a prefix of the tree of `toSize` entries. */
  async consistencyProof(fromSize: number, toSize: number): Promise<ConsistencyProofView> {
    if (fromSize > toSize) {
      throw new AmparoError('AMP_VALIDATION', { detail: 'from must not exceed to' });
    }
    await this.#assertWithinLog(toSize);
    const proof = await generateConsistencyProof(this.#source, fromSize, toSize);
    return { fromSize, toSize, proof };
  }

  /** A person's access history, newest first; pass the returned cursor for the next page. */
  async entriesForPerson(
    personId: string,
    page: { cursor?: number | undefined; limit?: number | undefined } = {},
  ): Promise<{ entries: PersonAccessView[]; nextCursor: number | null }> {
    const limit = Math.min(
      page.limit ?? auditLimits.personPageSizeDefault,
      auditLimits.personPageSizeMax,
    );
    const rows = await readPersonEntries(this.#db, personId, page.cursor, limit);
    const entries = rows.map(({ leafIndex, entry }) => {
      const record = parseEntry(entry);
      return {
        leafIndex,
        time: record.time,
        actorKind: record.actor.kind,
        role: record.actor.role,
        region: record.actor.region,
        purpose: record.purpose,
        action: record.action,
        outcome: record.outcome,
      };
    });
    const last = entries.at(-1);
    return { entries, nextCursor: entries.length === limit && last ? last.leafIndex : null };
  }

  async #assertWithinLog(treeSize: number): Promise<void> {
    const size = await auditLogSize(this.#db);
    if (treeSize > size) {
      throw new AmparoError('AMP_NOT_FOUND', { detail: `the log holds ${size} entries` });
    }
  }

  async #readLeaves(start: number, end: number): Promise<Uint8Array[]> {
    const hashes: Uint8Array[] = [];
    for (let from = start; from < end; from += auditLimits.leafHashPageRows) {
      const to = Math.min(end, from + auditLimits.leafHashPageRows);
      for (const hash of await readLeafHashes(this.#db, from, to)) hashes.push(hash);
    }
    return hashes;
  }
}
