import type { Purpose } from '../../../shared/access/actor.js';
import type { AttributeDeclaration } from './attribute-declaration.js';
import { type Catalogue, defineCatalogue } from './define-catalogue.js';
import { catalogueLimits } from './limits.js';

/**
 * Every attribute a person or household record may hold (safeguard 1). Nothing else can be
 * stored: the API, imports and the eligibility-rule checker refuse undeclared names, and
 * `defineCatalogue` refuses, while this module loads, any declaration that names a category
 * Amparo never holds.
 *
 * Who may read what (minimal disclosure) is set per attribute; README.md explains each
 * choice. In short: a distribution point gets what it needs to recognise a person and speak
 * to them (names, date of birth, sex, photo, region, language), never contact details,
 * document numbers, income or disability.
 *
 * @example
 *   attributeCatalogue.byName.get('phone')?.sealed; // true
 */

/** Every purpose: identification data that every service needs. */
const everyPurpose: readonly Purpose[] = [
  'enrolment',
  'eligibility_review',
  'distribution',
  'appeal',
  'audit',
  'self',
];
/** Every purpose except distribution: the record's ordinary content. */
const recordPurposes: readonly Purpose[] = [
  'enrolment',
  'eligibility_review',
  'appeal',
  'audit',
  'self',
];
/** Contact and document data: needed to enrol, reach or identify a person, not to decide. */
const contactPurposes: readonly Purpose[] = ['enrolment', 'appeal', 'audit', 'self'];
/** Data that decides entitlement: read to decide, to review the decision, or by the person. */
const eligibilityPurposes: readonly Purpose[] = ['eligibility_review', 'appeal', 'audit', 'self'];

/** Letters (any script, with accents), spaces, apostrophes, hyphens and dots. */
const personNamePattern = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;
const personNameDescription =
  'letters of one script, spaces, apostrophes, hyphens and dots (Latin mixed with Cyrillic or Greek look-alikes is refused)';

function personName(
  name: string,
  required: boolean,
  description: string,
  descriptionEs: string,
): AttributeDeclaration {
  return {
    name,
    subject: 'person',
    type: {
      kind: 'string',
      lengthMax: catalogueLimits.nameLengthMax,
      pattern: personNamePattern,
      patternDescription: personNameDescription,
      singleScript: true,
      patternRefusal: { code: 'name_characters' },
    },
    category: 'identity',
    sensitivity: 'personal',
    sealed: false,
    required,
    purposes: everyPurpose,
    description,
    descriptionEs,
  };
}

const identity: AttributeDeclaration[] = [
  personName(
    'given_names',
    true,
    'Given names as the person uses them, e.g. "María José".',
    'Nombres de pila tal como la persona los usa, p. ej. «María José».',
  ),
  personName(
    'first_surname',
    true,
    "First surname (usually the father's).",
    'Primer apellido (por lo general, el del padre).',
  ),
  personName(
    'second_surname',
    false,
    "Second surname (usually the mother's), if any.",
    'Segundo apellido (por lo general, el de la madre), si lo hay.',
  ),
  {
    name: 'sex',
    subject: 'person',
    type: { kind: 'enum', values: ['F', 'M'] },
    category: 'identity',
    sensitivity: 'personal',
    sealed: false,
    required: true,
    purposes: everyPurpose,
    description: 'Sex as recorded on the civil register: F or M.',
    descriptionEs: 'Sexo según el registro civil: F o M.',
  },
  {
    name: 'birth_date',
    subject: 'person',
    type: { kind: 'birth_date', approximateFlag: 'birth_date_approximate' },
    category: 'identity',
    sensitivity: 'personal',
    sealed: false,
    required: true,
    purposes: everyPurpose,
    description: 'Date of birth, YYYY-MM-DD; YYYY alone when only the year is known.',
    descriptionEs: 'Fecha de nacimiento, AAAA-MM-DD; solo AAAA cuando únicamente se conoce el año.',
  },
  {
    name: 'birth_date_approximate',
    subject: 'person',
    type: { kind: 'boolean' },
    category: 'identity',
    sensitivity: 'personal',
    sealed: false,
    required: false,
    purposes: everyPurpose,
    description: 'True when the date of birth is estimated (late registration, no documents).',
    descriptionEs:
      'Verdadero cuando la fecha de nacimiento es estimada (registro tardío, sin documentos).',
  },
  {
    name: 'birth_state_code',
    subject: 'person',
    type: { kind: 'geography', level: 'state' },
    category: 'identity',
    sensitivity: 'personal',
    sealed: false,
    required: false,
    purposes: recordPurposes,
    description: 'State of birth (ISO 3166-2:VE); absent for people born abroad.',
    descriptionEs:
      'Estado de nacimiento (ISO 3166-2:VE); ausente para quienes nacieron en el extranjero.',
  },
  {
    name: 'nationality',
    subject: 'person',
    type: { kind: 'country' },
    category: 'identity',
    sensitivity: 'sensitive',
    sealed: false,
    required: false,
    purposes: recordPurposes,
    description: 'Nationality (ISO 3166-1 alpha-2); absent when unknown or stateless.',
    descriptionEs:
      'Nacionalidad (ISO 3166-1 alfa-2); ausente si se desconoce o si la persona es apátrida.',
  },
];

const civilStatus: AttributeDeclaration = {
  name: 'civil_status',
  subject: 'person',
  // `cohabiting` is the stable de facto union of Venezuelan law (unión estable de hecho).
  type: {
    kind: 'enum',
    values: ['single', 'married', 'cohabiting', 'separated', 'divorced', 'widowed'],
  },
  category: 'civil_status',
  sensitivity: 'personal',
  sealed: false,
  required: false,
  purposes: recordPurposes,
  description: 'Civil status; cohabiting is the stable de facto union recognised by law.',
  descriptionEs: 'Estado civil; «cohabiting» es la unión estable de hecho que reconoce la ley.',
};

function divisionCode(
  name: string,
  level: 'state' | 'municipality' | 'parish',
  description: string,
  descriptionEs: string,
): AttributeDeclaration {
  return {
    name,
    subject: 'person',
    type: { kind: 'geography', level },
    category: 'address',
    sensitivity: 'personal',
    sealed: false,
    required: level === 'state',
    // A distribution point serves an area; it may see which area a person belongs to.
    purposes: everyPurpose,
    description,
    descriptionEs,
  };
}

const address: AttributeDeclaration[] = [
  divisionCode(
    'state_code',
    'state',
    'State of residence (ISO 3166-2:VE), e.g. VE-V.',
    'Estado de residencia (ISO 3166-2:VE), p. ej. VE-V.',
  ),
  divisionCode(
    'municipality_code',
    'municipality',
    'Municipality of residence, e.g. VE-V-13.',
    'Municipio de residencia, p. ej. VE-V-13.',
  ),
  divisionCode(
    'parish_code',
    'parish',
    'Parish of residence, e.g. VE-V-13-01.',
    'Parroquia de residencia, p. ej. VE-V-13-01.',
  ),
  {
    name: 'locality',
    subject: 'person',
    type: { kind: 'string', lengthMax: catalogueLimits.localityLengthMax },
    category: 'address',
    sensitivity: 'personal',
    sealed: false,
    required: false,
    purposes: recordPurposes,
    description: 'Town, village or sector of residence.',
    descriptionEs: 'Pueblo, caserío o sector de residencia.',
  },
  {
    name: 'address_line',
    subject: 'person',
    type: { kind: 'string', lengthMax: catalogueLimits.addressLineLengthMax },
    category: 'address',
    sensitivity: 'sensitive',
    sealed: true,
    required: false,
    purposes: contactPurposes,
    description: 'Street, house or flat: enough to find the home, never shown to a point.',
    descriptionEs:
      'Calle, casa o apartamento: lo necesario para encontrar la vivienda; nunca se muestra en un punto de entrega.',
  },
];

const contact: AttributeDeclaration[] = [
  {
    name: 'phone',
    subject: 'person',
    type: { kind: 'phone' },
    category: 'contact',
    sensitivity: 'sensitive',
    sealed: true,
    required: false,
    // Not for distribution: text messages are sent by the server, and the second check of
    // an assisted redemption is a code sent to the phone, so no point needs the number. The
    // server reads it to send a text (purpose `notification`, audited per person).
    purposes: [...contactPurposes, 'notification'],
    description: 'Phone number in E.164 form, e.g. +584121234567.',
    descriptionEs: 'Número de teléfono en formato E.164, p. ej. +584121234567.',
  },
  {
    name: 'email',
    subject: 'person',
    type: { kind: 'email' },
    category: 'contact',
    sensitivity: 'sensitive',
    sealed: true,
    required: false,
    purposes: contactPurposes,
    description: 'E-mail address, if the person has one.',
    descriptionEs: 'Correo electrónico, si la persona tiene uno.',
  },
];

const language: AttributeDeclaration = {
  name: 'preferred_language',
  subject: 'person',
  type: { kind: 'language' },
  category: 'language',
  // An indigenous language can reveal ethnic origin, hence more than `personal`; it stays
  // readable at a distribution point so that staff can speak to the person in it.
  sensitivity: 'sensitive',
  sealed: false,
  required: false,
  // The server reads it to write a text in the person's language (purpose `notification`).
  purposes: [...everyPurpose, 'notification'],
  description: 'ISO 639 code of the preferred language: es, or e.g. guc (Wayuunaiki).',
  descriptionEs: 'Código ISO 639 del idioma preferido: es o, p. ej., guc (wayuunaiki).',
};

const disability: AttributeDeclaration = {
  name: 'disability_status',
  subject: 'person',
  type: {
    kind: 'enum',
    values: ['none', 'physical', 'visual', 'hearing', 'intellectual', 'psychosocial', 'multiple'],
  },
  category: 'health_disability',
  sensitivity: 'special',
  sealed: true,
  required: false,
  purposes: eligibilityPurposes,
  description: 'Kind of disability, if any, for programs that support people with disabilities.',
  descriptionEs:
    'Tipo de discapacidad, si la hay, para los programas que apoyan a personas con discapacidad.',
};

const documents: AttributeDeclaration[] = [
  {
    name: 'document_type',
    subject: 'person',
    type: {
      kind: 'enum',
      values: [
        'cedula',
        'passport',
        'birth_certificate',
        'foreign_id',
        'refugee_document',
        'other',
      ],
    },
    category: 'documents',
    sensitivity: 'personal',
    sealed: false,
    required: false,
    purposes: recordPurposes,
    description: 'Kind of identity document held, if any: many people have none.',
    descriptionEs:
      'Tipo de documento de identidad que tiene la persona, si tiene alguno: muchas personas no tienen ninguno.',
  },
  {
    name: 'document_number',
    subject: 'person',
    type: {
      kind: 'string',
      lengthMax: catalogueLimits.documentNumberLengthMax,
      pattern: /^[A-Za-z0-9][A-Za-z0-9 -]*$/,
      patternDescription: 'letters, digits, spaces and hyphens',
      patternRefusal: { code: 'document_characters' },
    },
    category: 'documents',
    sensitivity: 'sensitive',
    sealed: true,
    required: false,
    purposes: contactPurposes,
    description: 'Number of that document, e.g. a cédula number.',
    descriptionEs: 'Número de ese documento, p. ej. el número de cédula.',
  },
  {
    name: 'document_country',
    subject: 'person',
    type: { kind: 'country' },
    category: 'documents',
    sensitivity: 'personal',
    sealed: false,
    required: false,
    purposes: recordPurposes,
    description: 'Country that issued the document (ISO 3166-1 alpha-2).',
    descriptionEs: 'País que emitió el documento (ISO 3166-1 alfa-2).',
  },
];

const photo: AttributeDeclaration = {
  name: 'photo',
  subject: 'person',
  type: {
    kind: 'image',
    bytesMax: catalogueLimits.photoBytesMax,
    mediaTypes: ['image/jpeg', 'image/png', 'image/webp'],
  },
  category: 'photo',
  sensitivity: 'sensitive',
  sealed: true,
  required: false,
  // A distribution point compares the face with the person in front of it.
  purposes: ['enrolment', 'distribution', 'appeal', 'audit', 'self'],
  description: 'Face photo (JPEG, PNG or WebP, base64), for the card and identity checks.',
  descriptionEs:
    'Foto del rostro (JPEG, PNG o WebP, en base64), para el carnet y la comprobación de identidad.',
};

const household: AttributeDeclaration[] = [
  {
    name: 'income_band',
    subject: 'household',
    type: { kind: 'integer', min: 1, max: 5 },
    category: 'socioeconomic',
    sensitivity: 'sensitive',
    sealed: false,
    required: false,
    purposes: eligibilityPurposes,
    description: 'Household income band, 1 (lowest) to 5 (highest).',
    descriptionEs: 'Tramo de ingresos del hogar, de 1 (el más bajo) a 5 (el más alto).',
  },
];

/** The published catalogue. Built (and checked) when this module is first imported. */
export const attributeCatalogue: Catalogue = defineCatalogue([
  ...identity,
  civilStatus,
  ...address,
  ...contact,
  language,
  disability,
  ...documents,
  photo,
  ...household,
]);
