import { describe, expect, it } from 'vitest';
import { latinSkeleton, normaliseStoredText, otherScriptThanLatin } from './lookalikes.js';

describe('look-alike letters', () => {
  it('folds Cyrillic and Greek look-alikes to the Latin letters they imitate', () => {
    // а, о, е below are Cyrillic (U+0430, U+043E, U+0435).
    expect(latinSkeleton('M\u0430ri\u0430 J\u043Es\u0435 Quint\u0435r\u043E')).toBe(
      'Maria Jose Quintero',
    );
    // A name written wholly in Cyrillic look-alikes: Масео Сереԁа Осһоа.
    expect(
      latinSkeleton('\u041C\u0430\u0441\u0435\u043E \u0421\u0435\u0440\u0435\u0501\u0430'),
    ).toBe('Maceo Cepeda');
    // Greek capitals and small letters: ΜΑΡΙΑ, αρο.
    expect(latinSkeleton('\u039C\u0391\u03A1\u0399\u0391 \u03B1\u03C1\u03BF')).toBe('MAPIA apo');
    // I-shaped capitals stay I (not l, as in confusables.txt), so they meet Isabel.
    expect(latinSkeleton('\u0406sabel').toLowerCase()).toBe('isabel');
  });

  it('folds full-width and mathematical letters (NFKC) and drops invisible characters', () => {
    expect(latinSkeleton('\uFF2D\uFF41\uFF52\uFF49\uFF41')).toBe('Maria');
    expect(latinSkeleton('\u{1D40C}\u{1D41A}\u{1D42B}\u{1D422}\u{1D41A}')).toBe('Maria');
    for (const invisible of ['\u200B', '\u200D', '\u00AD', '\u2060', '\uFEFF', '\u202E']) {
      expect(normaliseStoredText(`Ma${invisible}ria`)).toBe('Maria');
    }
  });

  it('leaves real names alone: accents and ñ survive, other scripts unmixed are fine', () => {
    expect(normaliseStoredText('María José Núñez')).toBe('María José Núñez');
    expect(latinSkeleton('Peña').normalize('NFC')).toBe('Peña');
    expect(otherScriptThanLatin('María José Núñez')).toBeUndefined();
    expect(otherScriptThanLatin('\u041C\u0430\u0440\u0438\u044F')).toBeUndefined(); // Мария
  });

  it('names the script mixed into a Latin name', () => {
    expect(otherScriptThanLatin('M\u0430ria')).toBe('Cyrillic');
    expect(otherScriptThanLatin('M\u03B1ria')).toBe('Greek');
    expect(otherScriptThanLatin('M\u0585ria')).toBe('Armenian');
    expect(otherScriptThanLatin('Mari\u4E00')).toBe('another script');
  });
});
