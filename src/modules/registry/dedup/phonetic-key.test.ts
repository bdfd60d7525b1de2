import { describe, expect, it } from 'vitest';
import { spanishPhoneticKey as key } from './phonetic-key.js';

describe('spanishPhoneticKey', () => {
  it.each([
    ['vaca', 'baca'], // b/v
    ['vazquez', 'basques'], // z/s, qu/k
    ['cecilia', 'secilia'], // c(e,i)/s
    ['gonzalez', 'gonsales'],
    ['guillermo', 'guiyermo'], // ll/y, gu(e,i)
    ['yolanda', 'llolanda'],
    ['hugo', 'ugo'], // silent h
    ['quintero', 'kintero'], // qu/k
    ['carmen', 'karmen'], // c(a,o,u)/k
    ['jimenez', 'gimenez'], // g(e,i)/j
    ['ximena', 'jimena'], // x/j
    ['rafael', 'raphael'], // ph/f
    ['nuñez', 'nunes'], // ñ folds to n only here
    ['eloy', 'eloi'], // y as a vowel
  ])('%s sounds like %s', (left, right) => {
    expect(key(left)).toBe(key(right));
  });

  it.each([
    ['garcia', 'gracia'],
    ['perez', 'paez'],
    ['chavez', 'javes'],
    ['maria', 'mario'],
  ])('%s does not sound like %s', (left, right) => {
    expect(key(left)).not.toBe(key(right));
  });

  it('produces the documented keys', () => {
    expect(key('vazquez')).toBe('baskes');
    expect(key('guillermo')).toBe('giyermo');
  });
});
