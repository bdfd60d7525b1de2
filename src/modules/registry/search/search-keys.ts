import { nameTokens } from '../dedup/normalise.js';
import { spanishPhoneticKey } from '../dedup/phonetic-key.js';

/** The name attributes that feed search keys, given names first. */
export const searchNameAttributes = ['given_names', 'first_surname', 'second_surname'] as const;

/** Search keys of one person: what `person_search` stores. */
export interface NameSearchKeys {
  /** `t:<token>` and `s:<phonetic key>` per name token, without repeats. */
  keys: string[];
  /** Normalised tokens in name order, for ranking. */
  tokens: string[];
}

/**
 * The name search keys of a person's attributes. Tokens are normalised by the duplicate
 * engine's Spanish normaliser (case and accents folded, particles such as "de la" dropped)
 * and each also gets its phonetic key, so "Gonzales" meets "González" with an equality
 * lookup: no trigram extension is needed, and the same SQL runs on PGlite and PostgreSQL.
 *
 * @example
 *   nameSearchKeys({ given_names: 'María José', first_surname: 'Pérez' }).keys;
 *   // ['t:maria', 's:maria', 't:jose', 's:jose', 't:perez', 's:peres']
 */
export function nameSearchKeys(attributes: Readonly<Record<string, unknown>>): NameSearchKeys {
  const tokens: string[] = [];
  for (const name of searchNameAttributes) {
    const value = attributes[name];
    if (typeof value === 'string') tokens.push(...nameTokens(value));
  }
  const keys = new Set<string>();
  for (const token of tokens) {
    for (const key of tokenKeys(token)) keys.add(key);
  }
  return { keys: [...keys], tokens };
}

/**
 * The keys a query token may match: its exact normalised form or its phonetic key.
 *
 * @example
 *   tokenKeys('gonzales'); // ['t:gonzales', 's:gonsales']
 */
export function tokenKeys(token: string): string[] {
  const sound = spanishPhoneticKey(token);
  return sound.length > 0 ? [`t:${token}`, `s:${sound}`] : [`t:${token}`];
}

/** Normalised tokens of a name typed into the search box. */
export function queryTokens(query: string): string[] {
  return nameTokens(query);
}
