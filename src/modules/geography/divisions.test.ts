import { describe, expect, it } from 'vitest';
import {
  findMunicipality,
  findParish,
  findState,
  isValidAddressCodes,
  listMunicipalities,
  listParishes,
  listStates,
} from './divisions.js';

describe('divisions catalogue', () => {
  it('holds the 25 first-level divisions, 335 municipalities and 1,139 parishes', () => {
    expect(listStates()).toHaveLength(25);
    expect(listMunicipalities()).toHaveLength(335);
    expect(listParishes()).toHaveLength(1139);
  });

  it('uses the corrected ISO 3166-2:VE codes', () => {
    expect(findState('VE-Z')?.name).toBe('Amazonas');
    expect(findState('VE-X')?.name).toBe('La Guaira');
    expect(findState('VE-X')?.formerName).toBe('Vargas');
    expect(findState('VE-V')?.name).toBe('Zulia');
    expect(findState('VE-A')?.name).toBe('Distrito Capital');
  });

  it('gives every state, municipality and parish a unique code', () => {
    const codes = [
      ...listStates().map((state) => state.code),
      ...listMunicipalities().map((municipality) => municipality.code),
      ...listParishes().map((parish) => parish.code),
    ];
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('derives municipality and parish codes from file order, 1-based', () => {
    const amazonas = findState('VE-Z');
    expect(amazonas?.municipalities[0]?.code).toBe('VE-Z-01');
    expect(amazonas?.municipalities[0]?.name).toBe('Alto Orinoco');
    expect(findMunicipality('VE-Z-01')?.parishes[2]?.code).toBe('VE-Z-01-03');
    expect(findParish('VE-Z-01-03')?.name).toBe('Marawaka Toky Shamanaña');
    expect(findMunicipality('VE-A-01')?.name).toBe('Libertador');
  });

  it('links each parish to its municipality and state', () => {
    for (const parish of listParishes()) {
      const municipality = findMunicipality(parish.municipalityCode);
      expect(municipality?.stateCode).toBe(parish.stateCode);
      expect(parish.code.startsWith(`${parish.municipalityCode}-`)).toBe(true);
    }
  });

  it('handles the Federal Dependencies, which have no municipalities', () => {
    const dependencies = findState('VE-W');
    expect(dependencies?.municipalities).toHaveLength(0);
    expect(dependencies?.capital).toBeNull();
    expect(isValidAddressCodes({ stateCode: 'VE-W' })).toBe(true);
    expect(isValidAddressCodes({ stateCode: 'VE-W', municipalityCode: 'VE-W-01' })).toBe(false);
  });

  it('is frozen so callers cannot corrupt it', () => {
    const state = listStates()[0];
    expect(Object.isFrozen(listStates())).toBe(true);
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state?.municipalities[0]?.parishes)).toBe(true);
  });

  it('returns undefined for unknown codes', () => {
    expect(findState('VE-Q')).toBeUndefined();
    expect(findMunicipality('VE-Z-99')).toBeUndefined();
    expect(findParish('VE-Z-01-99')).toBeUndefined();
  });
});

describe('isValidAddressCodes', () => {
  it('accepts a complete, consistent chain', () => {
    for (const parish of listParishes()) {
      const codes = {
        stateCode: parish.stateCode,
        municipalityCode: parish.municipalityCode,
        parishCode: parish.code,
      };
      expect(isValidAddressCodes(codes)).toBe(true);
    }
  });

  it('accepts a state alone and a state with a municipality', () => {
    expect(isValidAddressCodes({ stateCode: 'VE-V' })).toBe(true);
    expect(isValidAddressCodes({ stateCode: 'VE-V', municipalityCode: 'VE-V-01' })).toBe(true);
  });

  it('rejects a parish of another municipality', () => {
    expect(
      isValidAddressCodes({
        stateCode: 'VE-Z',
        municipalityCode: 'VE-Z-01',
        parishCode: 'VE-Z-02-01',
      }),
    ).toBe(false);
  });

  it('rejects a municipality of another state', () => {
    expect(isValidAddressCodes({ stateCode: 'VE-V', municipalityCode: 'VE-Z-01' })).toBe(false);
  });

  it('rejects a parish without its municipality, and unknown codes', () => {
    expect(isValidAddressCodes({ stateCode: 'VE-Z', parishCode: 'VE-Z-01-01' })).toBe(false);
    expect(isValidAddressCodes({ stateCode: 'VE-Q' })).toBe(false);
    expect(
      isValidAddressCodes({ stateCode: 'VE-Z', municipalityCode: 'VE-Z-01', parishCode: 'X' }),
    ).toBe(false);
  });
});
