import { otherScriptThanLatin } from '../../../platform/lookalikes.js';
import type { RefusalCode, RefusalParams } from '../../../shared/import/refusals.js';
import { findMunicipality, findParish, findState } from '../../geography/index.js';
import type {
  AttributeType,
  GeographyType,
  ImageMediaType,
  ImageType,
  StringType,
} from './attribute-declaration.js';
import { catalogueLimits } from './limits.js';

/** Why a value is refused: a code of `refusals.ts` and its parameters. */
export interface ValueRefusal {
  readonly code: RefusalCode;
  readonly params?: RefusalParams;
}

/**
 * Checks one value against its declared type. Returns why it is refused (a code and its
 * parameters), or undefined when it is acceptable. Cross-attribute rules (a year-only date needs the
 * approximate flag; a parish must lie in its municipality) are in `validate.ts`.
 *
 * @example
 *   valueProblem({ kind: 'phone' }, '+584121234567', new Date()); // undefined
 *   valueProblem({ kind: 'phone' }, '04121234567', new Date()); // { code: 'phone_e164' }
 */
export function valueProblem(
  type: AttributeType,
  value: unknown,
  today: Date,
): ValueRefusal | undefined {
  switch (type.kind) {
    case 'string':
      return stringProblem(type, value);
    case 'birth_date':
      return birthDateProblem(value, today);
    case 'enum':
      return typeof value === 'string' && type.values.includes(value)
        ? undefined
        : { code: 'one_of', params: { values: type.values.join(', ') } };
    case 'integer':
      return Number.isInteger(value) && Number(value) >= type.min && Number(value) <= type.max
        ? undefined
        : { code: 'integer_range', params: { min: type.min, max: type.max } };
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { code: 'boolean' };
    case 'geography':
      return geographyProblem(type, value);
    case 'country':
      return isCountryCode(value) ? undefined : { code: 'country' };
    case 'language':
      return typeof value === 'string' && /^[a-z]{2,3}$/.test(value)
        ? undefined
        : { code: 'language' };
    case 'phone':
      return phoneProblem(value);
    case 'email':
      return isEmailAddress(value) ? undefined : { code: 'email' };
    case 'image':
      return imageProblem(type, value);
  }
}

function stringProblem(type: StringType, value: unknown): ValueRefusal | undefined {
  if (typeof value !== 'string') return { code: 'text_type' };
  if (value.trim() === '') return { code: 'text_empty' };
  // Length in characters (code points), as a person counts them, not UTF-16 units.
  if ([...value].length > type.lengthMax) {
    return { code: 'text_too_long', params: { max: type.lengthMax } };
  }
  if (/\p{Cc}/u.test(value)) return { code: 'text_control' };
  if (type.pattern !== undefined && !type.pattern.test(value)) {
    return (
      type.patternRefusal ?? {
        code: 'text_pattern',
        params: { allowed: type.patternDescription ?? 'the allowed characters' },
      }
    );
  }
  const otherScript = type.singleScript === true ? otherScriptThanLatin(value) : undefined;
  if (otherScript !== undefined) {
    return { code: 'mixed_scripts', params: { script: otherScript } };
  }
  return undefined;
}

/** The parsed parts of a valid date of birth; `month` and `day` absent for year-only. */
export interface BirthDateParts {
  year: number;
  month?: number;
  day?: number;
}

/** Parses `YYYY-MM-DD` or `YYYY`; undefined when the form or the calendar date is wrong. */
export function parseBirthDate(value: string): BirthDateParts | undefined {
  const match = /^(\d{4})(?:-(\d{2})-(\d{2}))?$/.exec(value);
  if (match === null) return undefined;
  const year = Number(match[1]);
  if (match[2] === undefined || match[3] === undefined) return { year };
  const month = Number(match[2]);
  const day = Number(match[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2023-02-30 over into March; a real date survives the round trip.
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? { year, month, day } : undefined;
}

function birthDateProblem(value: unknown, today: Date): ValueRefusal | undefined {
  if (typeof value !== 'string') return { code: 'date_type' };
  const parts = parseBirthDate(value);
  if (parts === undefined) return { code: 'date_invalid' };
  const todayText = today.toISOString().slice(0, 10);
  const todayYear = today.getUTCFullYear();
  if (parts.year < todayYear - catalogueLimits.birthAgeYearsMax) {
    return { code: 'date_too_old', params: { years: catalogueLimits.birthAgeYearsMax } };
  }
  const future = parts.month === undefined ? parts.year > todayYear : value > todayText;
  return future ? { code: 'date_future' } : undefined;
}

function geographyProblem(type: GeographyType, value: unknown): ValueRefusal | undefined {
  if (typeof value !== 'string') return { code: `${type.level}_code` };
  const found =
    type.level === 'state'
      ? findState(value)
      : type.level === 'municipality'
        ? findMunicipality(value)
        : findParish(value);
  return found === undefined ? { code: `${type.level}_unknown` } : undefined;
}

const regionNames = createRegionNames();

function createRegionNames(): Intl.DisplayNames | undefined {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  } catch {
    // A Node.js built without ICU region data: the two-letter form is checked alone.
    return undefined;
  }
}

function isCountryCode(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Z]{2}$/.test(value)) return false;
  return regionNames === undefined || regionNames.of(value) !== undefined;
}

/**
 * E.164: `+`, a country code that does not start with 0, at most 15 digits in all. A
 * Venezuelan number (+58) has exactly 10 more digits, an area code starting with 2
 * (landline) or 4 (mobile): +58 412 1234567.
 */
function phoneProblem(value: unknown): ValueRefusal | undefined {
  if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value)) {
    return { code: 'phone_e164' };
  }
  if (value.startsWith('+58') && !/^\+58[24]\d{9}$/.test(value)) {
    return { code: 'phone_venezuela' };
  }
  return undefined;
}

const emailLocalPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const domainLabel = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const topLevelDomain = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** A conservative address check: dot-atom local part, host name with a real top level. */
function isEmailAddress(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > catalogueLimits.emailLengthMax) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  const last = labels[labels.length - 1];
  return (
    local.length <= catalogueLimits.emailLocalLengthMax &&
    emailLocalPart.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => domainLabel.test(label)) &&
    last !== undefined &&
    topLevelDomain.test(last)
  );
}

function imageProblem(type: ImageType, value: unknown): ValueRefusal | undefined {
  if (
    typeof value !== 'string' ||
    value.length % 4 !== 0 ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(value)
  ) {
    return { code: 'image_base64' };
  }
  // The decoded size follows from the text length, so a huge image is refused unread.
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  const bytes = (value.length / 4) * 3 - padding;
  if (bytes > type.bytesMax) {
    return { code: 'image_too_large', params: { max: type.bytesMax, bytes } };
  }
  const mediaType = sniffImage(Buffer.from(value.slice(0, 16), 'base64'));
  if (mediaType === undefined || !type.mediaTypes.includes(mediaType)) {
    return { code: 'one_of', params: { values: type.mediaTypes.join(', ') } };
  }
  return undefined;
}

/** The image format from its first bytes (file signatures), or undefined. */
export function sniffImage(head: Uint8Array): ImageMediaType | undefined {
  const starts = (signature: number[], offset = 0) =>
    signature.every((byte, index) => head[offset + index] === byte);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // RIFF....WEBP
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}
