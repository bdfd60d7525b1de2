import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAuditEntry } from './audit-test-support.js';
import { AuditEntryError, canonicalEntry, canonicalJson, parseEntry } from './canonical-entry.js';

describe('canonical audit entries', () => {
  it('sort keys at every level, drop whitespace, and parse back to the same entry', () => {
    const time = new Date('2026-11-23T03:05:47.896Z');
    const entry = buildAuditEntry();
    const text = canonicalEntry(entry, time);
    expect(text).not.toMatch(/\s/);
    expect(text.startsWith('{"action":')).toBe(true);
    expect(text.endsWith('"time":"2026-11-23T03:05:47.896Z","v":1}')).toBe(true);
    expect(parseEntry(text)).toEqual({ ...entry, time: time.toISOString(), v: 1 });
  });

  it('gives one text per value whatever the key order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        (object) => {
          const reversed = Object.fromEntries(Object.entries(object).reverse());
          expect(canonicalJson(reversed)).toBe(canonicalJson(object));
          expect(JSON.parse(canonicalJson(object))).toEqual(object);
        },
      ),
    );
  });

  it('refuses values it could not store faithfully', () => {
    const time = new Date();
    const bad = [
      buildAuditEntry({ requestId: 'a\u0000b' }),
      buildAuditEntry({ reasonCode: '\ud800' }),
      buildAuditEntry({ action: 'Person Read' }),
      buildAuditEntry({ fields: ['x'.repeat(201)] }),
    ];
    for (const entry of bad) expect(() => canonicalEntry(entry, time)).toThrow(AuditEntryError);
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(AuditEntryError);
  });
});
