import { describe, expect, it } from 'vitest';
import { purposes } from '../../../shared/access/actor.js';
import { attributeCatalogue } from './attributes.js';
import {
  attributePurposes,
  discloseAttributes,
  findAttribute,
  listCatalogue,
  readableAttributes,
} from './catalogue.js';

/** What `population-loader.ts` writes today: the catalogue must declare each, stored the same way. */
const loaderPlain = [
  'given_names',
  'first_surname',
  'second_surname',
  'sex',
  'birth_date',
  'birth_date_approximate',
  'birth_state_code',
  'nationality',
  'state_code',
  'municipality_code',
  'parish_code',
  'locality',
  'preferred_language',
  'income_band',
];
const loaderSealed = ['phone', 'address_line', 'disability_status'];

describe('the attribute catalogue', () => {
  it('declares every attribute the population loader writes, sealed where it seals them', () => {
    for (const name of loaderPlain) expect(findAttribute(name)?.sealed, name).toBe(false);
    for (const name of loaderSealed) expect(findAttribute(name)?.sealed, name).toBe(true);
  });

  it('declares the attributes the design asks for', () => {
    for (const name of ['email', 'document_type', 'document_number', 'document_country', 'photo']) {
      expect(findAttribute(name), name).toBeDefined();
    }
    expect(findAttribute('income_band')?.subject).toBe('household');
  });

  it('seals contact details, address detail, photo, disability and document numbers', () => {
    for (const name of [
      'phone',
      'email',
      'address_line',
      'photo',
      'disability_status',
      'document_number',
    ]) {
      expect(findAttribute(name)?.sealed, name).toBe(true);
    }
    expect(findAttribute('disability_status')?.sensitivity).toBe('special');
  });

  it('lets a distribution point read only what it needs to recognise a person', () => {
    const readable = readableAttributes('distribution');
    expect(readable).toEqual(expect.arrayContaining(['given_names', 'birth_date', 'photo']));
    for (const name of [
      'phone',
      'email',
      'address_line',
      'disability_status',
      'income_band',
      'document_number',
    ]) {
      expect(readable, name).not.toContain(name);
    }
  });

  it('gives the person and the auditor every attribute', () => {
    const all = attributeCatalogue.attributes.map((attribute) => attribute.name);
    expect(readableAttributes('self').sort()).toEqual([...all].sort());
    expect(readableAttributes('audit').sort()).toEqual([...all].sort());
  });

  it('names the purposes of an attribute, and none for an unknown one', () => {
    expect(attributePurposes('disability_status')).toEqual([
      'eligibility_review',
      'appeal',
      'audit',
      'self',
    ]);
    expect(attributePurposes('partido')).toEqual([]);
  });

  it('agrees with itself: an attribute is readable for exactly its purposes', () => {
    for (const purpose of purposes) {
      for (const attribute of attributeCatalogue.attributes) {
        expect(readableAttributes(purpose).includes(attribute.name)).toBe(
          attribute.purposes.includes(purpose),
        );
      }
    }
  });

  it('discloses only the attributes allowed for the purpose, and drops unknown keys', () => {
    const stored = {
      given_names: 'Ana',
      phone: '+584121234567',
      disability_status: 'visual',
      stray_key: 'x',
    };
    expect(discloseAttributes(stored, 'distribution')).toEqual({ given_names: 'Ana' });
    expect(discloseAttributes(stored, 'eligibility_review')).toEqual({
      given_names: 'Ana',
      disability_status: 'visual',
    });
  });

  it('publishes every attribute and every refused category', () => {
    const published = listCatalogue();
    expect(published.attributes.map((attribute) => attribute.name)).toEqual(
      attributeCatalogue.attributes.map((attribute) => attribute.name),
    );
    expect(published.attributes.find((a) => a.name === 'sex')?.constraints).toBe('one of F, M');
    expect(published.refusedCategories.map((category) => category.id)).toEqual([
      'political_affiliation',
      'voting',
      'religion',
      'trade_union',
      'sexual_orientation',
      'social_media',
      'location_trace',
    ]);
    expect(published.refusedCategories[1]?.terms).toContain('elección');
  });
});
