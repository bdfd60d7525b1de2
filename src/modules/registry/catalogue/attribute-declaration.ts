import type { Purpose } from '../../../shared/access/actor.js';

/**
 * The shape of one declared attribute. A person or household record may hold an attribute
 * only if it is declared (see `attributes.ts`); a declaration says what the value looks
 * like, how sensitive it is, whether it is stored encrypted, and which purposes may read it.
 *
 * @example
 *   const phone: AttributeDeclaration = {
 *     name: 'phone', subject: 'person', type: { kind: 'phone' }, category: 'contact',
 *     sensitivity: 'sensitive', sealed: true, required: false,
 *     purposes: ['enrolment', 'appeal', 'audit', 'self'],
 *     description: 'Mobile or landline number in E.164 form.',
 *     descriptionEs: 'Número de móvil o fijo en formato E.164.',
 *   };
 */
export interface AttributeDeclaration {
  /** snake_case; also the key in `person_version.attributes` or the sealed object. */
  readonly name: string;
  readonly subject: AttributeSubject;
  readonly type: AttributeType;
  readonly category: AttributeCategory;
  readonly sensitivity: Sensitivity;
  /**
   * Stored encrypted under the person's data key (`sealed_attributes`) rather than in the
   * plain `attributes` column.
   */
  readonly sealed: boolean;
  /** Must be present (and not null) on a full record; a correction may leave it out. */
  readonly required: boolean;
  /** The purposes a read may name to receive this attribute (minimal disclosure). */
  readonly purposes: readonly Purpose[];
  /** One sentence for the published catalogue. */
  readonly description: string;
  /** The same sentence in Spanish (the published catalogue and the rule facts give both). */
  readonly descriptionEs: string;
}

export const attributeSubjects = ['person', 'household'] as const;
export type AttributeSubject = (typeof attributeSubjects)[number];

/** The categories a record may hold. The forbidden ones are in `forbidden.ts`. */
export const attributeCategories = [
  'identity',
  'civil_status',
  'contact',
  'address',
  'socioeconomic',
  'health_disability',
  'language',
  'documents',
  'photo',
] as const;
export type AttributeCategory = (typeof attributeCategories)[number];

/**
 * `personal`: identifies a person but is shown on a card or needed by most services.
 * `sensitive`: harmful if leaked (contact, address detail, income, document numbers).
 * `special`: special-category data in the GDPR Article 9 sense (health, disability).
 */
export const sensitivities = ['personal', 'sensitive', 'special'] as const;
export type Sensitivity = (typeof sensitivities)[number];

/** What a value looks like. Validation of each kind is in `value-checks.ts`. */
export type AttributeType =
  | StringType
  | BirthDateType
  | EnumType
  | IntegerType
  | { readonly kind: 'boolean' }
  | GeographyType
  | { readonly kind: 'country' }
  | { readonly kind: 'language' }
  | { readonly kind: 'phone' }
  | { readonly kind: 'email' }
  | ImageType;

export interface StringType {
  readonly kind: 'string';
  readonly lengthMax: number;
  /** When present, the whole value must match it. */
  readonly pattern?: RegExp;
  /** Says in words what `pattern` requires, for error reasons and the published catalogue. */
  readonly patternDescription?: string;
  /**
   * Latin letters may not be mixed with letters of another script (Cyrillic а in "Mаriа"):
   * that is how a look-alike name gets past a reader. See `src/platform/lookalikes.ts`.
   */
  readonly singleScript?: boolean;
  /** The refusal for a value that does not match `pattern`, said in every language. */
  readonly patternRefusal?: { readonly code: 'name_characters' | 'document_characters' };
}

/** `YYYY-MM-DD`, or `YYYY` alone when the record's `birth_date_approximate` is true. */
export interface BirthDateType {
  readonly kind: 'birth_date';
  /** The boolean attribute that must be true for a year-only value. */
  readonly approximateFlag: string;
}

export interface EnumType {
  readonly kind: 'enum';
  readonly values: readonly string[];
}

export interface IntegerType {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
}

/** A Venezuelan division code from `geography/divisions.ts`, at one level. */
export interface GeographyType {
  readonly kind: 'geography';
  readonly level: 'state' | 'municipality' | 'parish';
}

/** An image sent as base64; its decoded size is bounded and its format sniffed. */
export interface ImageType {
  readonly kind: 'image';
  readonly bytesMax: number;
  readonly mediaTypes: readonly ImageMediaType[];
}

export type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/webp';
