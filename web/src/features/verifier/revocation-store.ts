import { BrowserRevocations, readRevocationList } from './revocation-list-reader.js';

/**
 * The revocation list the verifier holds, in localStorage: the signed full list and the signed
 * deltas applied to it, in order, with the time they were last fetched. The texts are stored,
 * not the parsed entries, so every load checks the signatures again (localStorage is not a
 * trusted place).
 *
 * @example
 *   const held = await loadRevocations(anchorHex); // null before the first download
 *   held?.revocations.version;
 */
const revocationsKey = 'amparo.verifier.revocations';
const trustFetchedKey = 'amparo.verifier.trustList.fetchedAt';

interface StoredRevocations {
  anchor: string;
  texts: string[];
  fetchedAtMs: number;
}

export interface HeldRevocations {
  revocations: BrowserRevocations;
  fetchedAtMs: number;
}

function stored(): StoredRevocations | null {
  const raw = localStorage.getItem(revocationsKey);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { anchor, texts, fetchedAtMs } = value as Partial<StoredRevocations>; // Checked below.
    if (typeof anchor !== 'string' || typeof fetchedAtMs !== 'number' || !Array.isArray(texts)) {
      return null;
    }
    return { anchor, texts: texts.filter((text) => typeof text === 'string'), fetchedAtMs };
  } catch {
    return null;
  }
}

/** The held list, re-verified; null when none is held for this anchor or it fails. */
export async function loadRevocations(anchor: string): Promise<HeldRevocations | null> {
  const held = stored();
  const [base, ...deltas] = held?.anchor === anchor.trim() ? held.texts : [];
  if (held === null || base === undefined) return null;
  try {
    const revocations = new BrowserRevocations(await readRevocationList(base, anchor));
    for (const text of deltas) revocations.apply(await readRevocationList(text, anchor));
    return { revocations, fetchedAtMs: held.fetchedAtMs };
  } catch {
    return null;
  }
}

/**
 * Downloads what is new from `url` (the full list the first time, then `?since=<version>`;
 * 204 means nothing new) and stores it. Throws when the download or a signature fails.
 */
export async function refreshRevocations(url: string, anchor: string): Promise<HeldRevocations> {
  const held = await loadRevocations(anchor);
  const texts = held ? (stored()?.texts ?? []) : [];
  const address = held ? `${url}?since=${held.revocations.version}` : url;
  const response = await fetch(address, { credentials: 'omit', cache: 'no-store' });
  if (!response.ok) throw new Error(`revocation list: ${response.status}`);
  let revocations = held?.revocations;
  if (response.status !== 204) {
    const text = await response.text();
    const list = await readRevocationList(text, anchor);
    if (list.kind === 'full' || revocations === undefined) {
      revocations = new BrowserRevocations(list);
      texts.splice(0, texts.length, text);
    } else if (revocations.apply(list)) {
      texts.push(text);
    }
  }
  if (revocations === undefined) throw new Error('revocation list: nothing held and no content');
  const fetchedAtMs = Date.now();
  const value: StoredRevocations = { anchor: anchor.trim(), texts, fetchedAtMs };
  localStorage.setItem(revocationsKey, JSON.stringify(value));
  return { revocations, fetchedAtMs };
}

/** When the trust list was last fetched (or loaded from a file); null when never. */
export function trustListFetchedAtMs(): number | null {
  const value = Number(localStorage.getItem(trustFetchedKey) ?? Number.NaN);
  return Number.isFinite(value) ? value : null;
}

export function markTrustListFetched(atMs: number): void {
  localStorage.setItem(trustFetchedKey, String(atMs));
}
