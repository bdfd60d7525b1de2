import { CredentialCodecError } from './credential-codec-error.js';

/** Gender (key 9): 1 male, 2 female, 3 other, per the Claim 169 specification. */
export type Gender = 'male' | 'female' | 'other';
/** Marital status (key 14): 1 unmarried, 2 married, 3 divorced. */
export type MaritalStatus = 'unmarried' | 'married' | 'divorced';
/** Photo format (key 17): 1 JPEG, 2 JPEG 2000, 3 AVIF, 4 WebP. */
export type PhotoFormat = 'jpeg' | 'jpeg2000' | 'avif' | 'webp';

/**
 * One biometric sample (keys 50–65). `format`: 0 image, 1 template, 2 sound, 3 bio hash;
 * `subFormat` depends on it (for images: 0 PNG, 1 JPEG, 2 JPEG 2000, 3 AVIF, 4 WebP, 5 TIFF,
 * 6 WSQ; 100–200 vendor specific), so both stay numbers.
 */
export interface Biometric {
  data: Uint8Array;
  format?: number;
  subFormat?: number;
  issuer?: string;
}

const textFields = {
  id: 1,
  version: 2,
  language: 3,
  fullName: 4,
  firstName: 5,
  middleName: 6,
  lastName: 7,
  dateOfBirth: 8,
  address: 10,
  email: 11,
  phone: 12,
  nationality: 13,
  guardian: 15,
  secondaryFullName: 19,
  secondaryLanguage: 20,
  locationCode: 21,
  legalStatus: 22,
  countryOfIssuance: 23,
} as const;

const biometricFields = {
  rightThumb: 50,
  rightPointerFinger: 51,
  rightMiddleFinger: 52,
  rightRingFinger: 53,
  rightLittleFinger: 54,
  leftThumb: 55,
  leftPointerFinger: 56,
  leftMiddleFinger: 57,
  leftRingFinger: 58,
  leftLittleFinger: 59,
  rightIris: 60,
  leftIris: 61,
  face: 62,
  rightPalm: 63,
  leftPalm: 64,
  voice: 65,
} as const;

/** Enumerations: the position in the list + 1 is the number on the wire. */
const genders: readonly Gender[] = ['male', 'female', 'other'];
const maritalStatuses: readonly MaritalStatus[] = ['unmarried', 'married', 'divorced'];
const photoFormats: readonly PhotoFormat[] = ['jpeg', 'jpeg2000', 'avif', 'webp'];

const genderKey = 9;
const maritalStatusKey = 14;
const photoKey = 16;
const photoFormatKey = 17;
const bestQualityFingersKey = 18;

type TextFieldName = keyof typeof textFields;
type BiometricFieldName = keyof typeof biometricFields;

/**
 * The identity data of claim 169, with named fields. Every field is optional, as in the
 * specification. Keys this codec does not know are kept in `unknownFields` (so a re-encode
 * loses nothing) and never appear as named fields.
 *
 * @example
 * const claims: Claim169 = { id: '4829175036', fullName: 'Ana María Pérez', gender: 'female' };
 */
export type Claim169 = { [name in TextFieldName]?: string } & {
  [name in BiometricFieldName]?: Biometric[];
} & {
  gender?: Gender;
  maritalStatus?: MaritalStatus;
  /** Key 16. Deprecated by specification 1.2.2 in favour of `face`; still read and written. */
  photo?: Uint8Array;
  /** Key 17, deprecated with `photo`. */
  photoFormat?: PhotoFormat;
  /** Key 18: finger positions 0 (unknown), 1–5 right thumb to little, 6–10 left. */
  bestQualityFingers?: number[];
  unknownFields?: ReadonlyMap<unknown, unknown>;
};

const textFieldByKey = new Map<unknown, TextFieldName>(
  Object.entries(textFields).map(([name, key]) => [key, name as TextFieldName]),
);
const biometricFieldByKey = new Map<unknown, BiometricFieldName>(
  Object.entries(biometricFields).map(([name, key]) => [key, name as BiometricFieldName]),
);
// The two `as` casts above are safe: Object.entries of a const object yields its own keys.

/**
 * Reads the claim 169 map into named fields.
 *
 * @throws CredentialCodecError `AMP_CRED_MALFORMED_CLAIMS` when a known key has the wrong type
 *   or an enumeration value outside the specification.
 * @example
 * decodeClaim169(new Map([[1, '4829175036'], [9, 2]])); // { id: '4829175036', gender: 'female' }
 */
export function decodeClaim169(map: ReadonlyMap<unknown, unknown>): Claim169 {
  const claims: Claim169 = {};
  const unknownFields = new Map<unknown, unknown>();
  for (const [key, value] of map) {
    const textName = textFieldByKey.get(key);
    const biometricName = biometricFieldByKey.get(key);
    if (textName !== undefined) claims[textName] = readText(value, key);
    else if (biometricName !== undefined) claims[biometricName] = readBiometrics(value, key);
    else if (key === genderKey) claims.gender = readEnum(value, genders, key);
    else if (key === maritalStatusKey) claims.maritalStatus = readEnum(value, maritalStatuses, key);
    else if (key === photoKey) claims.photo = readBytes(value, key);
    else if (key === photoFormatKey) claims.photoFormat = readEnum(value, photoFormats, key);
    else if (key === bestQualityFingersKey) claims.bestQualityFingers = readFingers(value);
    else unknownFields.set(key, value);
  }
  if (unknownFields.size > 0) claims.unknownFields = unknownFields;
  return claims;
}

/**
 * Builds the claim 169 map from named fields, in key order, omitting absent fields.
 *
 * @throws CredentialCodecError `AMP_CRED_INVALID_INPUT` for a value the format cannot carry.
 * @example
 * encodeClaim169({ id: '4829175036', gender: 'female' }); // Map { 1 => '4829175036', 9 => 2 }
 */
export function encodeClaim169(claims: Claim169): Map<unknown, unknown> {
  const entries: [unknown, unknown][] = [];
  for (const [name, key] of Object.entries(textFields)) {
    const value = claims[name as TextFieldName]; // Safe: `name` comes from textFields' own keys.
    if (value !== undefined) entries.push([key, requireText(value, name)]);
  }
  if (claims.dateOfBirth !== undefined) requireDate(claims.dateOfBirth);
  pushEnum(entries, genderKey, claims.gender, genders, 'gender');
  pushEnum(entries, maritalStatusKey, claims.maritalStatus, maritalStatuses, 'maritalStatus');
  if (claims.photo !== undefined) entries.push([photoKey, requireBytes(claims.photo, 'photo')]);
  pushEnum(entries, photoFormatKey, claims.photoFormat, photoFormats, 'photoFormat');
  if (claims.bestQualityFingers !== undefined) {
    entries.push([bestQualityFingersKey, requireFingers(claims.bestQualityFingers)]);
  }
  for (const [name, key] of Object.entries(biometricFields)) {
    const samples = claims[name as BiometricFieldName]; // Safe: name is a biometricFields key.
    if (samples !== undefined) entries.push([key, samples.map((s) => encodeBiometric(s, name))]);
  }
  for (const [key, value] of claims.unknownFields ?? []) {
    if (entries.some(([known]) => known === key) || isKnownKey(key)) {
      throw invalid(`unknownFields holds key ${String(key)}, which is a known field`);
    }
    entries.push([key, value]);
  }
  entries.sort(([a], [b]) => compareKeys(a, b));
  return new Map(entries);
}

function isKnownKey(key: unknown): boolean {
  return (
    textFieldByKey.has(key) ||
    biometricFieldByKey.has(key) ||
    [genderKey, maritalStatusKey, photoKey, photoFormatKey, bestQualityFingersKey].includes(
      key as number, // Safe: includes() only compares; a non-number key is simply not found.
    )
  );
}

/** Integer keys first in numeric order, then anything else in its original order. */
function compareKeys(a: unknown, b: unknown): number {
  const aNumber = typeof a === 'number';
  const bNumber = typeof b === 'number';
  if (aNumber && bNumber) return a - b;
  return aNumber ? -1 : bNumber ? 1 : 0;
}

function readText(value: unknown, key: unknown): string {
  if (typeof value !== 'string') throw malformed(`key ${String(key)} must be a text string`);
  return value;
}

function readBytes(value: unknown, key: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(`key ${String(key)} must be a byte string`);
  return value;
}

function readEnum<T>(value: unknown, names: readonly T[], key: unknown): T {
  const name = Number.isInteger(value) ? names[(value as number) - 1] : undefined; // Safe: isInteger.
  if (name === undefined) throw malformed(`key ${String(key)} has no value ${String(value)}`);
  return name;
}

function readFingers(value: unknown): number[] {
  if (!Array.isArray(value) || !value.every(isFingerPosition)) {
    throw malformed('key 18 must be an array of finger positions 0–10');
  }
  return value;
}

function isFingerPosition(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 10; // Safe: isInteger.
}

/** Reads keys 50–65: an array of samples; a lone sample map (as in a spec example) is accepted. */
function readBiometrics(value: unknown, key: unknown): Biometric[] {
  const samples = value instanceof Map ? [value] : value;
  if (!Array.isArray(samples)) throw malformed(`key ${String(key)} must be an array`);
  return samples.map((sample) => readBiometric(sample, key));
}

function readBiometric(sample: unknown, key: unknown): Biometric {
  if (!(sample instanceof Map)) throw malformed(`key ${String(key)} entries must be maps`);
  const biometric: Biometric = { data: readBytes(sample.get(0), `${String(key)}.0`) };
  const format: unknown = sample.get(1);
  const subFormat: unknown = sample.get(2);
  const issuer: unknown = sample.get(3);
  if (format !== undefined) biometric.format = readSmallInteger(format, key);
  if (subFormat !== undefined) biometric.subFormat = readSmallInteger(subFormat, key);
  if (issuer !== undefined) biometric.issuer = readText(issuer, `${String(key)}.3`);
  return biometric;
}

function readSmallInteger(value: unknown, key: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffff) {
    throw malformed(`key ${String(key)} has a format that is not a small integer`);
  }
  return value as number; // Safe: checked to be an integer just above.
}

function encodeBiometric(sample: Biometric, name: string): Map<number, unknown> {
  const map = new Map<number, unknown>([[0, requireBytes(sample.data, `${name}.data`)]]);
  if (sample.format !== undefined) map.set(1, requireSmallInteger(sample.format, name));
  if (sample.subFormat !== undefined) map.set(2, requireSmallInteger(sample.subFormat, name));
  if (sample.issuer !== undefined) map.set(3, requireText(sample.issuer, `${name}.issuer`));
  return map;
}

function pushEnum<T>(
  entries: [unknown, unknown][],
  key: number,
  value: T | undefined,
  names: readonly T[],
  name: string,
): void {
  if (value === undefined) return;
  const index = names.indexOf(value);
  if (index < 0) throw invalid(`${name} ${String(value)} is not one of ${names.join(', ')}`);
  entries.push([key, index + 1]);
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

function requireBytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`${name} must be a Uint8Array`);
  return value;
}

function requireSmallInteger(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffff) {
    throw invalid(`${name} format must be an integer 0–65535`);
  }
  return value as number; // Safe: checked to be an integer just above.
}

function requireFingers(value: unknown): number[] {
  if (!Array.isArray(value) || !value.every(isFingerPosition)) {
    throw invalid('bestQualityFingers must be finger positions 0–10');
  }
  return value;
}

/** The specification's table says YYYYMMDD; its own worked example uses YYYY-MM-DD. */
function requireDate(value: string): void {
  if (!/^\d{4}-?\d{2}-?\d{2}$/.test(value) || (value.length !== 8 && value.length !== 10)) {
    throw invalid('dateOfBirth must be YYYYMMDD or YYYY-MM-DD');
  }
}

function malformed(detail: string): CredentialCodecError {
  return new CredentialCodecError('AMP_CRED_MALFORMED_CLAIMS', `Malformed claim 169: ${detail}.`);
}

function invalid(detail: string): CredentialCodecError {
  return new CredentialCodecError('AMP_CRED_INVALID_INPUT', `Cannot encode claim 169: ${detail}.`);
}
