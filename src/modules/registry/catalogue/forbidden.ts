import { type RefusedField, refusedField } from '../../../shared/import/refusals.js';
import {
  nameTokens,
  separatorTokens,
  singularCandidates,
  withoutStopWords,
} from './name-tokens.js';

/**
 * The categories of data Amparo never holds (safeguard 1), with the English and Spanish
 * words that name them. An attribute, request field or import column whose name is one of
 * these words is refused with AMP_ATTRIBUTE_FORBIDDEN. README.md explains the word choices,
 * including the words deliberately left out because they have ordinary meanings
 * (`fe de vida`, `parroquia`, `seguridad social`, `longitud`).
 *
 * @example
 *   findForbiddenName('partyMember')?.category.id; // 'political_affiliation'
 *   findForbiddenName('parish_code'); // undefined
 */
export interface ForbiddenCategory {
  readonly id: ForbiddenCategoryId;
  /** English label used in error reasons: "<label> is a category Amparo never holds". */
  readonly label: string;
  readonly labelEs: string;
  /**
   * Words and phrases matched as whole words (after splitting the name into words), each
   * word also in its simple plural. Safe for words that occur inside ordinary words:
   * `partido` refuses `partido_politico` but not `hogar_compartido`.
   */
  readonly terms: readonly string[];
  /**
   * Letter sequences refused anywhere inside one word, for compounds written without a
   * separator (`facebookid`, `votingrecord`). Only sequences that occur in no ordinary word
   * of a person record belong here.
   */
  readonly stems: readonly string[];
}

export type ForbiddenCategoryId =
  | 'political_affiliation'
  | 'voting'
  | 'religion'
  | 'trade_union'
  | 'sexual_orientation'
  | 'social_media'
  | 'location_trace';

export const forbiddenCategories: readonly ForbiddenCategory[] = deepFreeze([
  {
    id: 'political_affiliation',
    label: 'political affiliation',
    labelEs: 'afiliación política',
    terms: words(
      `party, partido, politics, political, política, político, partisan, partidista,`,
      `militante, militancia, militancy, militant, afiliación política,`,
      `political affiliation, party member, ideology, ideología, ideological, chavista,`,
      `chavismo, madurista, opositor, oposición, opposition, psuv, copei, ubch, rally,`,
      `mitin`,
    ),
    stems: words(
      `politic, militan, partidis, partisan, chavis, madurist, opositor, oposicion,`,
      `opposition, psuv, ubch, ideolog, party`,
    ),
  },
  {
    id: 'voting',
    label: 'voting or election participation',
    labelEs: 'voto o participación electoral',
    terms: words(
      `vote, voto, voted, voting, voter, votante, votar, votación, elector, electoral,`,
      `election, elección, elecciones, sufragio, sufragar, suffrage, ballot,`,
      `boleta electoral, centro de votación, mesa electoral, polling station, polling place,`,
      `referendum, referéndum, referendo, plebiscito, plebiscite, comicios, cne, abstención,`,
      `abstention, turnout`,
    ),
    stems: words(
      `vote, voto, voting, votacion, votante, election, eleccion, electoral, sufragi,`,
      `suffrag, ballot, referend, plebiscit, comicios`,
    ),
  },
  {
    id: 'religion',
    label: 'religion or belief',
    labelEs: 'religión o creencias',
    terms: words(
      `religion, religión, religious, religioso, religiosa, faith, belief, creencia, creed,`,
      `credo, iglesia, church, culto, cult, congregation, congregación, temple, templo,`,
      `mosque, mezquita, synagogue, sinagoga, catholic, católico, evangelical, evangélico,`,
      `christian, cristiano, muslim, musulmán, islam, jewish, judío, atheist, ateo,`,
      `agnostic, agnóstico, santería, baptism, bautismo, bautizo`,
    ),
    stems: words(
      `religio, iglesia, church, congregac, congregation, mosque, mezquita, synagog,`,
      `sinagoga, catholic, catolic, evangel, christian, cristian, muslim, musulman, islam,`,
      `jewish, judio, atheis, ateism, agnostic, santeria, baptism, bautism, creencia`,
    ),
  },
  {
    id: 'trade_union',
    label: 'trade-union membership',
    labelEs: 'afiliación sindical',
    terms: words(
      `union, unión, trade union, labor union, labour union, sindicato, sindical,`,
      `sindicalista, syndicate, gremio, gremial, unionized, unionised`,
    ),
    stems: words(`sindica, syndicat, unionis, unioniz, tradeunion, laborunion, labourunion`),
  },
  {
    id: 'sexual_orientation',
    label: 'sexual orientation',
    labelEs: 'orientación sexual',
    terms: words(
      `sexual orientation, orientación sexual, sexual preference, preferencia sexual,`,
      `sexuality, sexualidad, lgbt, lgbti, lgbtq, lgbtiq, gay, lesbian, lesbiana,`,
      `homosexual, heterosexual, bisexual, pansexual, asexual, queer`,
    ),
    stems: words(
      `sexualorient, orientacionsexual, sexualpref, preferenciasexual, sexualidad,`,
      `sexuality, lgbt, lesbian, homosexual, heterosexual, bisexual, pansexual`,
    ),
  },
  {
    id: 'social_media',
    label: 'social-media accounts or activity',
    labelEs: 'cuentas o actividad en redes sociales',
    terms: words(
      `social media, social network, social networking, red social, redes sociales,`,
      `medios sociales, facebook, twitter, tweet, instagram, tiktok, youtube, whatsapp,`,
      `telegram, snapchat, linkedin, mastodon, bluesky, reddit, handle, follower, seguidor,`,
      `hashtag, x handle, x account`,
    ),
    stems: words(
      `socialmedia, socialnetwork, redessociales, mediossociales, facebook, twitter, tweet,`,
      `instagram, tiktok, youtube, whatsapp, telegram, snapchat, linkedin, mastodon,`,
      `bluesky, reddit, hashtag`,
    ),
  },
  {
    id: 'location_trace',
    label: 'location traces',
    labelEs: 'rastros de ubicación',
    terms: words(
      `gps, geolocation, geolocalización, geolocalizacion, geoposition, location history,`,
      `location trace, location tracking, location log, live location, current location,`,
      `real time location, ubicación en tiempo real, historial de ubicación, tracking,`,
      `rastreo, rastrear, rastreado, cell tower, torre celular, cell id, imei, latitude,`,
      `latitud, longitude, lat, lng, lon, coordinates, coordenadas, geohash, geofence,`,
      `whereabouts, paradero`,
    ),
    stems: words(
      `gps, geoloc, geoposition, locationhistor, locationtrac, tracking, rastreo, rastrea,`,
      `celltower, torrecelular, latitud, longitude, coordenada, geohash, geofenc,`,
      `whereabout`,
    ),
  },
]);

/** Why a name was refused: its category and the forbidden word it contains. */
export interface ForbiddenMatch {
  readonly category: ForbiddenCategory;
  /** The forbidden term or stem, in its normalised form. */
  readonly matched: string;
}

interface CompiledPhrase {
  readonly words: readonly string[];
  readonly category: ForbiddenCategory;
  /** Position of the category in `forbiddenCategories`: the earlier one wins a tie. */
  readonly rank: number;
}

/** Every phrase, filed under its first word, so a name's words are looked up, not scanned. */
const phrasesByFirstWord = new Map<string, CompiledPhrase[]>();
const stemCategories = new Map<string, ForbiddenCategory>();

forbiddenCategories.forEach((category, rank) => {
  const phrases = category.terms.flatMap((term) => {
    const words = nameTokens(term);
    const content = withoutStopWords(words);
    // A phrase written as one word (`pollingstation`, `historialdeubicacion`) is refused as
    // that word too, with and without its function words.
    return words.length < 2 ? [content] : [content, [words.join('')], [content.join('')]];
  });
  for (const words of phrases) {
    const first = words[0];
    if (first === undefined) continue;
    const filed = phrasesByFirstWord.get(first) ?? [];
    filed.push({ words, category, rank });
    phrasesByFirstWord.set(first, filed);
  }
  for (const stem of category.stems.flatMap(nameTokens)) {
    if (!stemCategories.has(stem)) stemCategories.set(stem, category);
  }
});

/** Finds any stem inside a word; stems are plain lowercase letters, safe in a pattern. */
const stemPattern = new RegExp([...stemCategories.keys()].join('|'));

/** Names already judged; bounded, since request keys are chosen by the client. */
const verdictCache = new Map<string, ForbiddenMatch | null>();
const verdictCacheSizeMax = 4096;

/**
 * The forbidden category a name belongs to, or undefined when it names none. The name is
 * split into words twice, at case changes and separators (`nameTokens`) and at separators
 * only (`separatorTokens`); it is refused when either split contains a forbidden phrase
 * (each word also tried as a plural), or one word contains a forbidden stem.
 *
 * @example
 *   findForbiddenName('afiliación-política')?.category.label; // 'political affiliation'
 *   findForbiddenName('given_names'); // undefined
 */
export function findForbiddenName(name: string): ForbiddenMatch | undefined {
  const cached = verdictCache.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const byCase = withoutStopWords(nameTokens(name));
  const bySeparator = withoutStopWords(separatorTokens(name));
  const found =
    matchTokens(byCase) ??
    (bySeparator.join(' ') === byCase.join(' ') ? undefined : matchTokens(bySeparator));
  // Frozen, because the cache hands the same object to every later caller.
  const match = found === undefined ? undefined : Object.freeze(found);
  if (verdictCache.size >= verdictCacheSizeMax) verdictCache.clear();
  verdictCache.set(name, match ?? null);
  return match;
}

function matchTokens(tokens: readonly string[]): ForbiddenMatch | undefined {
  const candidates = tokens.map(singularCandidates);
  let best: CompiledPhrase | undefined;
  candidates.forEach((forms, start) => {
    for (const form of forms) {
      for (const phrase of phrasesByFirstWord.get(form) ?? []) {
        if (
          (best === undefined || phrase.rank < best.rank) &&
          phraseAt(candidates, start, phrase)
        ) {
          best = phrase;
        }
      }
    }
  });
  if (best !== undefined) return { category: best.category, matched: best.words.join(' ') };
  for (const token of tokens) {
    const stem = stemPattern.exec(token)?.[0];
    const category = stem === undefined ? undefined : stemCategories.get(stem);
    if (stem !== undefined && category !== undefined) return { category, matched: stem };
  }
  return undefined;
}

function phraseAt(candidates: readonly string[][], start: number, phrase: CompiledPhrase): boolean {
  return phrase.words.every((word, offset) => candidates[start + offset]?.includes(word) === true);
}

/** The reason sent to the client and written to the log, e.g. for `partido`. */
export function forbiddenReason(category: ForbiddenCategory): string {
  return `${category.label} is a category Amparo never holds`;
}

/** A field error for a forbidden name, with its code and the category in both languages. */
export function forbiddenField(field: string, category: ForbiddenCategory): RefusedField {
  return refusedField(field, 'forbidden_category', {
    category: category.label,
    categoryEs: category.labelEs,
  });
}

/** Splits comma-separated word lists (given over several lines) into trimmed words. */
function words(...lines: string[]): string[] {
  return lines
    .join(',')
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
}

function deepFreeze<T extends readonly object[]>(categories: T): T {
  for (const category of categories) {
    for (const value of Object.values(category)) {
      if (Array.isArray(value)) Object.freeze(value);
    }
    Object.freeze(category);
  }
  return Object.freeze(categories);
}
