/** Test helper for the Verhoeff check digit, used by its tests here and by the UIN generator's. */

/** Every number that one mistyped digit or one swap of unequal neighbours makes of `number`. */
export function singleErrors(number: string): string[] {
  const variants: string[] = [];
  for (let i = 0; i < number.length; i++) {
    for (let digit = 0; digit < 10; digit++) {
      if (String(digit) !== number[i]) {
        variants.push(`${number.slice(0, i)}${digit}${number.slice(i + 1)}`);
      }
    }
    if (i + 1 < number.length && number[i] !== number[i + 1]) {
      variants.push(`${number.slice(0, i)}${number[i + 1]}${number[i]}${number.slice(i + 2)}`);
    }
  }
  return variants;
}
