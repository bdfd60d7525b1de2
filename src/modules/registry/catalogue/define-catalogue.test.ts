import { describe, expect, it } from 'vitest';
import type { AttributeCategory, AttributeDeclaration } from './attribute-declaration.js';
import { attributeCatalogue } from './attributes.js';
import { CatalogueDeclarationError, defineCatalogue } from './define-catalogue.js';

const shoeSize: AttributeDeclaration = {
  name: 'shoe_size',
  subject: 'person',
  type: { kind: 'integer', min: 15, max: 50 },
  category: 'socioeconomic',
  sensitivity: 'personal',
  sealed: false,
  required: false,
  purposes: ['enrolment', 'self'],
  description: 'Shoe size, for a school-uniform program.',
  descriptionEs: 'Talla de calzado, para un programa de uniformes escolares.',
};

function refusal(declarations: AttributeDeclaration[]): string {
  try {
    defineCatalogue(declarations);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogueDeclarationError);
    return (error as Error).message;
  }
  throw new Error('the catalogue was built');
}

describe('defineCatalogue', () => {
  it('builds the real catalogue when the module loads', () => {
    expect(attributeCatalogue.attributes.length).toBeGreaterThan(20);
    expect(attributeCatalogue.byName.get('given_names')?.required).toBe(true);
  });

  it('refuses a declaration whose name is forbidden, in any spelling', () => {
    for (const name of ['partido', 'party_member', 'voted_2024', 'religion', 'facebook_account']) {
      expect(refusal([shoeSize, { ...shoeSize, name }])).toContain('never holds');
    }
  });

  it('refuses a forbidden category slipped past the type system', () => {
    // A cast stands in for plain JavaScript or a careless `as`: the check must not rely on types.
    const category = 'political_affiliation' as AttributeCategory;
    expect(refusal([{ ...shoeSize, category }])).toContain('unknown category');
  });

  it('refuses an enum whose declared values name a forbidden category', () => {
    const group: AttributeDeclaration = {
      ...shoeSize,
      name: 'community_group',
      type: { kind: 'enum', values: ['none', 'psuv', 'opposition'] },
    };
    expect(refusal([group])).toContain('enum value "psuv"');
  });

  it('refuses names that are not snake_case, duplicates and unknown purposes', () => {
    expect(refusal([{ ...shoeSize, name: 'shoeSize' }])).toContain('snake_case');
    expect(refusal([shoeSize, shoeSize])).toContain('declared twice');
    expect(refusal([{ ...shoeSize, purposes: [] }])).toContain('no purpose');
    const purposes = ['enrolment', 'marketing'] as AttributeDeclaration['purposes'];
    expect(refusal([{ ...shoeSize, purposes }])).toContain('unknown purpose marketing');
  });

  it('keeps special-category data sealed and away from distribution points', () => {
    const health = { ...shoeSize, name: 'chronic_condition', sensitivity: 'special' as const };
    expect(refusal([health])).toContain('must be sealed');
    expect(refusal([{ ...health, sealed: true, purposes: ['distribution'] }])).toContain(
      'never for distribution',
    );
  });

  it('requires the approximate flag of a date of birth to be a declared boolean', () => {
    const birth: AttributeDeclaration = {
      ...shoeSize,
      name: 'birth_date',
      type: { kind: 'birth_date', approximateFlag: 'birth_date_approximate' },
    };
    expect(refusal([birth])).toContain('approximate flag');
  });

  it('freezes the catalogue so that nothing can be added or changed at run time', () => {
    const catalogue = defineCatalogue([shoeSize]);
    const stored = catalogue.byName.get('shoe_size');
    expect(Object.isFrozen(catalogue.attributes)).toBe(true);
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored?.type)).toBe(true);
    expect(Object.isFrozen(stored?.purposes)).toBe(true);
    expect(() => (catalogue.attributes as AttributeDeclaration[]).push(shoeSize)).toThrow();
  });
});
