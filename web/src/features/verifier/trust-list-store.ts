/**
 * The verifier keeps the last accepted trust list and its anchor in localStorage, so the page
 * works offline at a distribution point once it has been set up with a connection. A list is
 * never replaced by an older version (the list's own rule).
 */
const listKey = 'amparo.verifier.trustList';
const anchorKey = 'amparo.verifier.anchor';

export interface StoredTrustList {
  text: string;
  anchor: string;
  version: number;
}

export function storedTrustList(): StoredTrustList | null {
  const text = localStorage.getItem(listKey);
  const anchor = localStorage.getItem(anchorKey);
  if (text === null || anchor === null) return null;
  const version = Number(localStorage.getItem(`${listKey}.version`) ?? '0');
  return { text, anchor, version };
}

/** Stores an accepted list; false when it is older than the one held. */
export function storeTrustList(list: StoredTrustList): boolean {
  const held = storedTrustList();
  if (held !== null && held.anchor === list.anchor && list.version < held.version) return false;
  localStorage.setItem(listKey, list.text);
  localStorage.setItem(anchorKey, list.anchor);
  localStorage.setItem(`${listKey}.version`, String(list.version));
  return true;
}
