import type { Purpose } from '../../../shared/access/actor.js';
import type {
  AttributeDeclaration,
  AttributeSubject,
  AttributeType,
} from './attribute-declaration.js';
import { attributeCatalogue } from './attributes.js';
import { type ForbiddenCategoryId, forbiddenCategories } from './forbidden.js';

/**
 * Questions asked of the published catalogue: which attributes exist, who may read them,
 * and a plain description for the transparency page (`GET /api/catalogue`).
 *
 * @example
 *   attributePurposes('disability_status'); // ['eligibility_review', 'appeal', 'audit', 'self']
 *   discloseAttributes({ given_names: 'Ana', phone: '+58…' }, 'distribution'); // { given_names: 'Ana' }
 */

/** The declaration of a catalogue attribute, or undefined for a name not in the catalogue. */
export function findAttribute(name: string): AttributeDeclaration | undefined {
  return attributeCatalogue.byName.get(name);
}

/** Every declared attribute, optionally only those of one subject. */
export function listAttributes(subject?: AttributeSubject): readonly AttributeDeclaration[] {
  const all = attributeCatalogue.attributes;
  return subject === undefined ? all : all.filter((attribute) => attribute.subject === subject);
}

/** The purposes that may read an attribute; empty for a name not in the catalogue. */
export function attributePurposes(name: string): readonly Purpose[] {
  return findAttribute(name)?.purposes ?? [];
}

/** Names of the attributes a read for this purpose may return. */
export function readableAttributes(purpose: Purpose, subject?: AttributeSubject): string[] {
  return listAttributes(subject)
    .filter((attribute) => attribute.purposes.includes(purpose))
    .map((attribute) => attribute.name);
}

/**
 * A copy of `values` with only the attributes this purpose may read (minimal disclosure).
 * Keys that are not catalogue attributes are dropped too, so a stray stored key never leaks.
 */
export function discloseAttributes(
  values: Readonly<Record<string, unknown>>,
  purpose: Purpose,
): Record<string, unknown> {
  const disclosed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (findAttribute(name)?.purposes.includes(purpose) === true) disclosed[name] = value;
  }
  return disclosed;
}

/** One attribute as published: everything but the internal pattern object. */
export interface PublishedAttribute {
  name: string;
  subject: AttributeSubject;
  type: string;
  constraints: string;
  category: string;
  sensitivity: string;
  sealed: boolean;
  required: boolean;
  purposes: Purpose[];
  description: string;
  descriptionEs: string;
}

export interface PublishedRefusedCategory {
  id: ForbiddenCategoryId;
  label: string;
  labelEs: string;
  terms: string[];
}

export interface PublishedCatalogue {
  attributes: PublishedAttribute[];
  refusedCategories: PublishedRefusedCategory[];
}

/** The whole catalogue and the refused categories, for documentation and transparency. */
export function listCatalogue(): PublishedCatalogue {
  return {
    attributes: attributeCatalogue.attributes.map((attribute) => ({
      name: attribute.name,
      subject: attribute.subject,
      type: attribute.type.kind,
      constraints: describeType(attribute.type),
      category: attribute.category,
      sensitivity: attribute.sensitivity,
      sealed: attribute.sealed,
      required: attribute.required,
      purposes: [...attribute.purposes],
      description: attribute.description,
      descriptionEs: attribute.descriptionEs,
    })),
    refusedCategories: forbiddenCategories.map((category) => ({
      id: category.id,
      label: category.label,
      labelEs: category.labelEs,
      terms: [...category.terms],
    })),
  };
}

/** The constraints of a type in words, e.g. `at most 100 characters`. */
export function describeType(type: AttributeType): string {
  switch (type.kind) {
    case 'string': {
      const length = `at most ${type.lengthMax} characters`;
      return type.patternDescription ? `${length}; ${type.patternDescription}` : length;
    }
    case 'birth_date':
      return `YYYY-MM-DD, or YYYY when ${type.approximateFlag} is true; not in the future`;
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'integer':
      return `integer from ${type.min} to ${type.max}`;
    case 'boolean':
      return 'true or false';
    case 'geography':
      return `Venezuelan ${type.level} code`;
    case 'country':
      return 'ISO 3166-1 alpha-2 country code';
    case 'language':
      return 'ISO 639 language code (2 or 3 letters)';
    case 'phone':
      return 'E.164 number, e.g. +584121234567';
    case 'email':
      return 'e-mail address';
    case 'image':
      return `${type.mediaTypes.join(', ')}, base64, at most ${type.bytesMax} bytes decoded`;
  }
}
