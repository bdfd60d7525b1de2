import { limits } from '../../../limits.js';
import { blindIndex } from '../../../platform/crypto/envelope.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { type AuditRecorder, consumePersonReads, guardRegionalAccess } from '../../access/index.js';
import { discloseAttributes, validatePersonAttributes } from '../catalogue/index.js';
import { jaroWinkler } from '../dedup/string-distance.js';
import type { RegistryWriteDependencies } from '../persons/person-writer.js';
import { writeAuditEntry } from '../persons/person-writer.js';
import { isValidUin } from '../uin/index.js';
import { registryWriteLimits } from './limits.js';
import { queryTokens, tokenKeys } from './search-keys.js';
import {
  personSummaries,
  searchByHousehold,
  searchByNameKeys,
  searchByPhone,
  searchByUin,
} from './search-repository.js';

export interface SearchQuery {
  uin?: string;
  name?: string;
  householdId?: string;
  phone?: string;
  cursor?: string;
  limit?: number;
}

export interface PersonSummary {
  id: string;
  uin: string;
  status: 'active' | 'deceased' | 'merged' | 'erased';
  regionCode: string;
  /** Name similarity, 0–1, for a name search; null otherwise. */
  score: number | null;
  attributes: Record<string, unknown>;
}

export interface SearchAnswer {
  items: PersonSummary[];
  nextCursor: string | null;
  /** True when a name was so common that only the first candidates were ranked. */
  truncated: boolean;
}

type Found = {
  ids: string[];
  scores: Map<string, number>;
  next: string | null;
  truncated: boolean;
};

/**
 * Finds persons by exactly one of: ID number, name (accent- and case-insensitive, fuzzy),
 * household, or phone (blind index, never decrypted). Only persons in the operator's
 * regions are found; every person returned counts against the read quota and gets its own
 * audit entry (action person.search) before the answer leaves.
 *
 * @example
 *   await personSearch(deps, { actor, purpose: 'enrolment', requestId, query: { name: 'maria jose perez' } });
 */
export async function personSearch(
  deps: Pick<RegistryWriteDependencies, 'db' | 'masterKey'> & { audit: AuditRecorder },
  props: { actor: Actor | null; purpose: Purpose | null; requestId: string; query: SearchQuery },
): Promise<SearchAnswer> {
  const criterion = parseCriterion(deps.masterKey, props.query);
  const { actor, purpose } = props;
  const { grant, operator, regions } = await guardRegionalAccess(deps, {
    actor,
    action: 'person.search',
    resource: { type: 'person', id: null },
    purpose,
    requestId: props.requestId,
  });
  const limit = Math.min(
    props.query.limit ?? limits.pagination.pageSizeDefault,
    limits.pagination.pageSizeMax,
  );
  const found = await findIds(deps, criterion, regions, limit, decodeCursor(props.query.cursor));
  const rows = await personSummaries(deps.db, found.ids);
  if (rows.length > 0) await consumePersonReads(deps.db, operator, rows.length);
  const items = rows.map((row) => ({
    ...row,
    score: found.scores.get(row.id) ?? null,
    attributes: discloseAttributes(row.attributes, grant.purpose ?? 'enrolment'),
  }));
  const write = { grant, actor: operator, action: 'person.search' as const, regionCode: null };
  await Promise.all(
    items.map((item) =>
      deps.audit.append(
        writeAuditEntry(
          { ...write, regionCode: item.regionCode },
          { type: 'person', id: item.id },
          Object.keys(item.attributes),
          props.requestId,
        ),
      ),
    ),
  );
  // A search that finds nobody is still an attempt (a guessed ID number is a probe): it is
  // recorded once, with no person named.
  if (items.length === 0) await grant.record([]);
  return { items, nextCursor: found.next, truncated: found.truncated };
}

type Criterion =
  | { kind: 'uin'; uin: string }
  | { kind: 'name'; tokens: string[] }
  | { kind: 'household'; householdId: string }
  | { kind: 'phone'; digest: Buffer };

function parseCriterion(masterKey: Buffer, query: SearchQuery): Criterion {
  const given = (['uin', 'name', 'householdId', 'phone'] as const).filter(
    (name) => query[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'Search by exactly one of uin, name, householdId, phone',
      errors: [
        { field: 'querystring', reason: 'needs exactly one of uin, name, householdId, phone' },
      ],
    });
  }
  if (query.uin !== undefined) {
    if (!isValidUin(query.uin))
      throw invalid('querystring/uin', 'is not a valid ID number (check digit)');
    return { kind: 'uin', uin: query.uin };
  }
  if (query.phone !== undefined) {
    const result = validatePersonAttributes({ phone: query.phone }, { partial: true });
    if (!result.ok) throw invalid('querystring/phone', 'is not a phone number in E.164 form');
    return { kind: 'phone', digest: blindIndex(masterKey, 'phone', query.phone) };
  }
  if (query.householdId !== undefined) return { kind: 'household', householdId: query.householdId };
  const tokens = queryTokens(query.name ?? '');
  if (tokens.length === 0 || tokens.length > registryWriteLimits.searchNameTokensMax) {
    throw invalid(
      'querystring/name',
      `needs 1 to ${registryWriteLimits.searchNameTokensMax} words with letters`,
    );
  }
  return { kind: 'name', tokens };
}

async function findIds(
  deps: Pick<RegistryWriteDependencies, 'db'>,
  criterion: Criterion,
  regions: readonly string[],
  limit: number,
  cursor: Cursor,
): Promise<Found> {
  const none: Found = { ids: [], scores: new Map(), next: null, truncated: false };
  if (regions.length === 0) return none;
  if (criterion.kind === 'uin') {
    return {
      ...none,
      ids: cursor.after === null ? await searchByUin(deps.db, criterion.uin, regions) : [],
    };
  }
  if (criterion.kind === 'name') return rankNames(deps, criterion.tokens, regions, limit, cursor);
  const page = { regions, after: cursor.after, limit: limit + 1 };
  const ids =
    criterion.kind === 'phone'
      ? await searchByPhone(deps.db, { digest: criterion.digest, ...page })
      : await searchByHousehold(deps.db, { householdId: criterion.householdId, ...page });
  const pageIds = ids.slice(0, limit);
  const last = pageIds.at(-1);
  const next =
    ids.length > limit && last !== undefined ? encodeCursor({ after: last, offset: 0 }) : null;
  return { ...none, ids: pageIds, next };
}

/**
 * Name search: every query word must share a key (exact token or Spanish phonetic key) with
 * the person's names; the candidates are then ranked by the mean, over query words, of the
 * best Jaro–Winkler similarity to a name token, ties by id. The cursor is an offset into this
 * ranking, which is the same on every call while the registry does not change.
 */
async function rankNames(
  deps: Pick<RegistryWriteDependencies, 'db'>,
  tokens: readonly string[],
  regions: readonly string[],
  limit: number,
  cursor: Cursor,
): Promise<Found> {
  const candidatesMax = registryWriteLimits.searchCandidatesMax;
  const rows = await searchByNameKeys(deps.db, {
    keyGroups: tokens.map(tokenKeys),
    regions,
    limit: candidatesMax + 1,
  });
  const ranked = rows
    .slice(0, candidatesMax)
    .map((row) => ({ id: row.personId, score: nameScore(tokens, row.tokens) }))
    .filter((row) => row.score >= registryWriteLimits.searchNameScoreMin)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  const page = ranked.slice(cursor.offset, cursor.offset + limit);
  const end = cursor.offset + page.length;
  return {
    ids: page.map((row) => row.id),
    scores: new Map(page.map((row) => [row.id, Math.round(row.score * 1000) / 1000])),
    next: end < ranked.length ? encodeCursor({ after: null, offset: end }) : null,
    truncated: rows.length > candidatesMax,
  };
}

/** Mean over query words of the best similarity to one of the person's name tokens. */
export function nameScore(query: readonly string[], names: readonly string[]): number {
  let total = 0;
  for (const word of query) {
    let best = 0;
    for (const name of names) best = Math.max(best, jaroWinkler(word, name));
    total += best;
  }
  return query.length === 0 ? 0 : total / query.length;
}

interface Cursor {
  after: string | null;
  offset: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string | undefined): Cursor {
  if (text === undefined) return { after: null, offset: 0 };
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && 'after' in value && 'offset' in value) {
      const { after, offset } = value;
      const afterOk =
        after === null || (typeof after === 'string' && /^[0-9a-f-]{36}$/.test(after));
      if (afterOk && Number.isInteger(offset) && typeof offset === 'number' && offset >= 0) {
        return { after, offset: Math.min(offset, registryWriteLimits.searchCandidatesMax) };
      }
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw invalid('querystring/cursor', 'is not a cursor from a previous page');
}

function invalid(field: string, reason: string): AmparoError {
  return new AmparoError('AMP_VALIDATION', {
    detail: 'The search is not valid',
    errors: [{ field, reason }],
  });
}
