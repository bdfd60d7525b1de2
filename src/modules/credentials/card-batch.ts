import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { activePersonIds, type PersonSelection } from '../registry/index.js';
import { cardAttributeNames } from './card-holder.js';
import { renderCardPngFast } from './card-raster.js';
import { renderCardSheetPdf } from './card-render.js';
import type { CardFace } from './card-svg.js';
import {
  type CredentialDependencies,
  issueInTransaction,
  reproduceCard,
} from './credential-issuer.js';
import { findCredential } from './credential-repository.js';

/** Which persons a batch issues cards to. */
export type BatchSelection = PersonSelection;

export interface BatchProgress {
  batchId: string;
  total: number;
  done: number;
  issuedThisRun: number;
  refused: number;
}

export interface BatchOutcome extends BatchProgress {
  resumed: boolean;
  filesWritten: number;
}

/** Cards per A4 sheet (2 × 5), as `renderCardSheetPdf` lays them out. */
const cardsPerSheet = 10;

/**
 * Issues cards to every active person of a selection as a system job (`cards-batch:<id>`),
 * one transaction and one audit entry per person. Resumable: the batch is recorded, and a
 * re-run of the same selection skips persons who already hold an active card of this batch.
 * Writes each card as `<out>/<credential id>.png` and, with `sheets`, A4 sheets of 10.
 *
 * @example
 * await cardBatchIssuer(deps, { selection: { kind: 'region', regionCode: 'VE-A' }, outDir: 'cards' });
 */
export async function cardBatchIssuer(
  deps: CredentialDependencies,
  options: {
    selection: BatchSelection;
    outDir?: string;
    sheets?: boolean;
    /** Stop after this many new cards (to issue in parts; a re-run continues). */
    limit?: number;
    onProgress?: (progress: BatchProgress) => void;
  },
): Promise<BatchOutcome> {
  const { kind, value } = describeSelection(options.selection);
  const { batchId, resumed } = await openBatch(deps.db, kind, value);
  const persons = await selectPersons(deps.db, options.selection);
  const holding = await holdersOfBatch(deps.db, batchId);
  const progress: BatchProgress = {
    batchId,
    total: persons.length,
    done: persons.filter((id) => holding.has(id)).length,
    issuedThisRun: 0,
    refused: 0,
  };
  await deps.db
    .updateTable('card_batch')
    .set({ persons_total: persons.length })
    .where('id', '=', batchId)
    .execute();
  const issuedIds: string[] = [];
  for (const personId of persons) {
    if (holding.has(personId)) continue;
    if (options.limit !== undefined && progress.issuedThisRun >= options.limit) break;
    try {
      const issued = await deps.db.transaction().execute((trx) =>
        issueInTransaction(trx, deps, {
          personId,
          issuedBy: null,
          batchId,
          auditEntries: () => [systemEntry(batchId, personId)],
        }),
      );
      issuedIds.push(issued.credentialId);
      progress.issuedThisRun++;
      progress.done++;
    } catch (error) {
      // A person who died or was merged since selection, or lacks card data: counted, not fatal.
      if (!(error instanceof AmparoError)) throw error;
      progress.refused++;
    }
    options.onProgress?.({ ...progress });
  }
  if (progress.done + progress.refused >= progress.total) {
    await deps.db
      .updateTable('card_batch')
      .set({ status: 'finished', finished_at: new Date() })
      .where('id', '=', batchId)
      .where('status', '=', 'running')
      .execute();
  }
  const filesWritten =
    options.outDir === undefined ? 0 : await writeCards(deps, batchId, issuedIds, options);
  return { ...progress, resumed, filesWritten };
}

function describeSelection(selection: BatchSelection): {
  kind: BatchSelection['kind'];
  value: string;
} {
  if (selection.kind === 'region') return { kind: 'region', value: selection.regionCode };
  if (selection.kind === 'household') return { kind: 'household', value: selection.householdId };
  const digest = createHash('sha256')
    .update([...selection.uins].sort().join('\n'))
    .digest('hex');
  return { kind: 'uins', value: digest };
}

async function openBatch(db: Kysely<Database>, kind: BatchSelection['kind'], value: string) {
  const existing = await db
    .selectFrom('card_batch')
    .select('id')
    .where('selection_kind', '=', kind)
    .where('selection', '=', value)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (existing !== undefined) return { batchId: existing.id, resumed: true };
  const batchId = randomUUID();
  await db
    .insertInto('card_batch')
    .values({
      id: batchId,
      selection_kind: kind,
      selection: value,
      persons_total: null,
      finished_at: null,
    })
    .execute();
  return { batchId, resumed: false };
}

/** Active persons of the selection, in a stable order so that parts of a batch add up. */
async function selectPersons(db: Kysely<Database>, selection: BatchSelection): Promise<string[]> {
  // The registry owns person and household_membership: it answers with ids only.
  return activePersonIds(db, selection);
}

async function holdersOfBatch(db: Kysely<Database>, batchId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('credential')
    .select('person_id')
    .where('batch_id', '=', batchId)
    .where('status', '=', 'active')
    .execute();
  return new Set(rows.map((row) => row.person_id));
}

function systemEntry(batchId: string, personId: string): AuditEntryInput {
  return {
    actor: { kind: 'system', id: `cards-batch:${batchId}`, role: 'system', region: null },
    action: 'credential.issue',
    resource: { type: 'person', id: personId },
    purpose: 'enrolment',
    fields: [...cardAttributeNames].sort(),
    outcome: 'allowed',
    reasonCode: null,
    requestId: null,
  };
}

/**
 * PNGs of the cards issued by this run; with `sheets`, every active card of the batch on A4
 * sheets of 10 (rewritten whole, so a resumed batch still gets complete sheets).
 */
async function writeCards(
  deps: CredentialDependencies,
  batchId: string,
  issuedIds: string[],
  options: { outDir?: string; sheets?: boolean },
): Promise<number> {
  const outDir = options.outDir ?? '.';
  mkdirSync(outDir, { recursive: true });
  let files = 0;
  for (const id of issuedIds) {
    writeFileSync(path.join(outDir, `${id}.png`), renderCardPngFast(await faceOf(deps, id)).png);
    files++;
  }
  if (!options.sheets) return files;
  const rows = await deps.db
    .selectFrom('credential')
    .select('id')
    .where('batch_id', '=', batchId)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  for (let start = 0; start < rows.length; start += cardsPerSheet) {
    const faces: CardFace[] = [];
    for (const row of rows.slice(start, start + cardsPerSheet))
      faces.push(await faceOf(deps, row.id.toString('hex')));
    const name = `sheet-${String(start / cardsPerSheet + 1).padStart(4, '0')}.pdf`;
    writeFileSync(path.join(outDir, name), await renderCardSheetPdf(faces));
    files++;
  }
  return files;
}

async function faceOf(deps: CredentialDependencies, credentialId: string): Promise<CardFace> {
  const row = await findCredential(deps.db, Buffer.from(credentialId, 'hex'));
  if (row === undefined) throw new Error('an issued credential is missing');
  const { card, holder } = await reproduceCard(deps, row);
  return {
    holder,
    qrText: card.text,
    expiresAt: card.expiresAt,
    issuerName: deps.issuance.issuerName,
  };
}
