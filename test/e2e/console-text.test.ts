import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { registeredErrors } from '../../src/platform/errors.js';
import { roles } from '../../src/shared/access/roles.js';
import { secondCheckRefusalCodes } from '../../src/shared/api/distribution.js';
import { verdictStatuses } from '../../src/shared/claim169/verdict.js';
import { uinFeedback } from '../../web/src/components/uin-feedback.js';
import {
  distinctActions,
  groupAccessHistory,
  groupVerdict,
  offlineListText,
} from '../../web/src/features/access-history/history-groups.js';
import { auditActions } from '../../web/src/features/audit/audit-actions.js';
import {
  actionLabel,
  actorText,
  resourceText,
  shortId,
} from '../../web/src/features/audit/entry-text.js';
import {
  cardRefusalText,
  secondCheckRefusalText,
} from '../../web/src/features/second-check/check-refusal-text.js';
import { en } from '../../web/src/i18n/en.js';
import { es } from '../../web/src/i18n/es.js';
import { formattersFor } from '../../web/src/i18n/format.js';
import { staffLinks } from '../../web/src/session/staff-links.js';

/**
 * The console's words, checked without a browser: every key the code names exists in both
 * languages, counts are pluralised, every audit action has a label, times never end in a
 * period, codes read as names, and the ID-number check speaks before the server does.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => pattern.test(file) && !/\.test\.ts$/.test(file))
    .map((file) => path.join(root, dir, file));
}

type Tree = { [key: string]: string | Tree };

/** i18next's own lookup: a dotted key, where keys may contain dots themselves. */
function has(tree: Tree, key: string): boolean {
  if (key in tree) return typeof tree[key] === 'string';
  const parts = key.split('.');
  for (let take = 1; take < parts.length; take++) {
    const head = parts.slice(0, take).join('.');
    const next = tree[head];
    if (typeof next === 'object' && has(next, parts.slice(take).join('.'))) return true;
  }
  return false;
}

function hasAny(tree: Tree, key: string): boolean {
  return has(tree, key) || (has(tree, `${key}_one`) && has(tree, `${key}_other`));
}

const languages = { es: es as unknown as Tree, en: en as unknown as Tree }; // plain string trees

let t: Record<'es' | 'en', TFunction>;
beforeAll(async () => {
  const make = async (lng: 'es' | 'en') => {
    const instance = i18next.createInstance();
    await instance.init({
      resources: { es: { translation: es }, en: { translation: en } },
      lng,
      interpolation: { escapeValue: false },
      showSupportNotice: false,
    });
    return instance.t;
  };
  t = { es: await make('es'), en: await make('en') };
});

describe('translation keys', () => {
  it('names in code only keys that exist in Spanish and English', () => {
    const missing: string[] = [];
    for (const file of filesUnder('web/src', /\.tsx?$/)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        const key = match[1] ?? '';
        for (const [language, tree] of Object.entries(languages))
          if (!hasAny(tree, key)) missing.push(`${language}: ${key} (${path.basename(file)})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('pluralises every string that shows a count', () => {
    const single: string[] = [];
    // `refusal.*` are the import's refusal reasons, shared with the server's error file
    // (src/shared/import/refusals.ts) and filled in there without plural forms.
    const walk = (tree: Tree, prefix: string) => {
      for (const [key, value] of Object.entries(tree)) {
        if (prefix === '' && key === 'refusal') continue;
        if (typeof value === 'object') walk(value, `${prefix}${key}.`);
        else if (value.includes('{{count}}') && !/_(one|other)$/.test(key))
          single.push(prefix + key);
      }
    };
    walk(languages.es, '');
    walk(languages.en, '');
    expect(single).toEqual([]);
    expect(
      t.es('verifier.list.loaded', { count: 1, issuer: 'A', version: 1, date: 'x' }),
    ).toContain('1 clave,');
    expect(
      t.en('verifier.list.loaded', { count: 2, issuer: 'A', version: 1, date: 'x' }),
    ).toContain('2 keys,');
  });
});

describe('refusal texts', () => {
  it('gives every code the server can answer a sentence of its own in Spanish and English', async () => {
    // Every file that registers an error family, found here rather than listed by hand, so a
    // new family (or a new code in one) without console text fails this test.
    const families = filesUnder('src', /\.ts$/).filter((file) =>
      /^defineErrors\(/m.test(readFileSync(file, 'utf8')),
    );
    expect(families.length).toBeGreaterThan(5);
    for (const file of families) await import(file);
    const codes = registeredErrors().map((entry) => entry.code);
    expect(codes).toEqual(
      expect.arrayContaining(['AMP_DEVICE_CLOCK_OFF', 'AMP_BANK_FILE_MALFORMED']),
    );
    const missing: string[] = [];
    for (const code of codes) {
      const sentences = {
        es: has(languages.es, `problem.${code}`),
        en: has(languages.en, `problem.${code}`),
      };
      for (const [language, present] of Object.entries(sentences))
        if (!present) missing.push(`${language}: ${code}`);
      // A Spanish sentence the same as the English one was not translated.
      if (sentences.es && sentences.en)
        expect(t.es(`problem.${code}`), code).not.toBe(t.en(`problem.${code}`));
    }
    expect(missing).toEqual([]);
  });
});

describe('card and second-check refusals', () => {
  const said = (text: string | undefined) => {
    expect(text).toBeDefined();
    expect(text).not.toMatch(/checkRefusal\.|verifier\.|pos\.mode|\{\{/);
    return text ?? '';
  };

  it('says why a card was refused at a point, for every status the verifier gives', () => {
    const statuses = [
      ...verdictStatuses.filter((status) => status !== 'valid'),
      'unknown-credential',
    ];
    for (const code of statuses) {
      const problem = { field: '/qrText', reason: 'The credential was revoked (lost).', code };
      const text = {
        es: said(cardRefusalText(t.es, problem)),
        en: said(cardRefusalText(t.en, problem)),
      };
      expect(text.es, code).not.toBe(text.en);
      expect(text.es).toContain('«Sin carnet»');
    }
  });

  it('says every reason a second check fails with, reading "expired" by the check made', () => {
    for (const code of secondCheckRefusalCodes)
      for (const method of ['phone_code', 'photo_attested', 'household_card', undefined]) {
        const problem = { field: '/', reason: 'The code is wrong', code };
        const es = said(secondCheckRefusalText(t.es, problem, method));
        expect(es, `${code} ${method}`).not.toBe(
          said(secondCheckRefusalText(t.en, problem, method)),
        );
      }
    const expired = { field: '/', reason: 'expired', code: 'expired' };
    expect(secondCheckRefusalText(t.es, expired, 'phone_code')).toBe(
      'El código venció. Empiece una comprobación nueva.',
    );
    expect(secondCheckRefusalText(t.es, expired, 'household_card')).toMatch(
      /^El carnet del miembro del hogar no sirve: .*venció/,
    );
    const revoked = { field: '/', reason: 'Card refused', code: 'revoked' };
    expect(secondCheckRefusalText(t.en, revoked, 'household_card')).toContain('cancelled');
    expect(
      secondCheckRefusalText(t.en, { field: '/', reason: 'x', code: 'other' }, 'phone_code'),
    ).toBeUndefined();
  });
});

describe('audit actions', () => {
  it('lists every action the server records, each with a label in both languages', () => {
    const recorded = new Set<string>();
    for (const file of filesUnder('src/modules', /\.ts$/)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/action: '([a-z_]+(?:\.[a-z_]+)+)'/g))
        recorded.add(match[1] ?? '');
      for (const match of text.matchAll(/Action = '([a-z_]+(?:\.[a-z_]+)+)'/g))
        recorded.add(match[1] ?? '');
    }
    expect(recorded.size).toBeGreaterThan(20);
    expect([...recorded].filter((action) => !auditActions.includes(action))).toEqual([]);
    for (const action of auditActions) {
      for (const language of ['es', 'en'] as const) {
        const label = actionLabel(action, t[language]);
        expect(label, `${language} ${action}`).not.toBe(action);
        expect(label).not.toMatch(/[._]/);
      }
    }
    expect(actionLabel('person.read', t.es)).toBe('Ver un registro');
  });

  it('writes actors and resources in words, cutting only UUIDs and hashes', () => {
    const job = '3f2a9c1d-0b7c-4a52-8111-444455556666';
    const system = { kind: 'system' as const, id: `import:${job}`, role: 'system', region: null };
    expect(actorText(system, t.es)).toBe('el sistema: importación 3f2a9c1d');
    expect(actorText(system, t.en)).toBe('the system: import 3f2a9c1d');
    const signer = { kind: 'system' as const, id: 'audit-signer', role: null, region: null };
    expect(actorText(signer, t.es)).toBe('el sistema: firma del registro');
    const head = { type: 'audit', id: `tree-head:2:${'ab'.repeat(32)}` };
    expect(resourceText(head, t.es)).toBe('cabecera del registro, tamaño 2');
    expect(resourceText({ type: 'person', id: job }, t.es)).toBe('persona 3f2a9c1d');
    expect(shortId(`x:${'cd'.repeat(32)}`)).toBe('x:cdcdcdcd…');
  });
});

describe('formatting', () => {
  it('writes times on the 24-hour clock, so a sentence never ends in "p. m.."', () => {
    for (const language of ['es', 'en']) {
      const text = formattersFor(language).dateTime('2026-11-23T17:32:00Z');
      expect(text).toMatch(/\d{2}:\d{2}$/);
      expect(text).not.toMatch(/[ap]\.? ?m\.?$/i);
    }
  });

  it('reads country and language codes as names in the reader’s language', () => {
    // attribute-value.ts hands nationality, document_country and preferred_language to these.
    const format = { es: formattersFor('es'), en: formattersFor('en') };
    expect(format.es.country('VE')).toBe('Venezuela');
    expect(format.en.country('CO')).toBe('Colombia');
    expect(format.es.language('es')).toBe('español');
    expect(format.en.language('es')).toBe('Spanish');
    expect(format.es.language('guc')).toBe('guc');
    expect(t.es('value.preferred_language.guc')).toBe('wayuunaiki');
  });
});

describe('ID-number check while typing', () => {
  it('points out a wrong check digit at once and a short number only on submission', () => {
    expect(uinFeedback('', false)).toBeNull();
    expect(uinFeedback('50729', false)).toBeNull();
    expect(uinFeedback('50729', true)).toBe('incomplete');
    expect(uinFeedback('5072946181', false)).toBe('check_digit');
    expect(uinFeedback('5072946180', false)).toBeNull();
    expect(uinFeedback('50729461800', false)).toBe('format');
    expect(uinFeedback('12', false)).toBe('format');
    expect(uinFeedback('50a', false)).toBe('format');
    for (const problem of ['incomplete', 'format', 'check_digit'])
      expect(t.es(`uin.problem.${problem}`)).not.toMatch(/uin\.problem|check digit/);
  });
});

describe('staff links', () => {
  it('offer no person search to an administrator, and only pages the roles may open', () => {
    expect(staffLinks(['administrator']).map((link) => link.to)).toEqual([
      '/erasure',
      '/operators',
      '/card-proof-key',
      '/account',
    ]);
    expect(staffLinks(['enrolment_clerk']).map((link) => link.to)).toContain('/persons');
    for (const role of roles)
      for (const link of staffLinks([role])) expect(has(languages.es, link.labelKey)).toBe(true);
  });

  it('word the home page tasks so that no menu label is part of them', () => {
    // A link found by its menu label ("Inscribir") must stay the menu's on the home page too.
    for (const language of ['es', 'en'] as const) {
      const all = staffLinks([...roles]);
      const labels = all.map((link) => t[language](link.labelKey).toLowerCase());
      for (const link of all) {
        const task = t[language](link.taskKey).toLowerCase();
        expect(task).not.toBe(link.taskKey.toLowerCase());
        for (const label of labels) expect(task, `${language} ${task}`).not.toContain(label);
      }
    }
  });
});

describe('access history groups', () => {
  const entry = (
    leafIndex: number,
    time: string,
    actorKind: 'citizen' | 'operator',
    role: string | null,
  ) => ({
    leafIndex,
    time,
    actorKind,
    role,
    region: actorKind === 'operator' ? 'VE-A' : null,
    purpose: 'self',
    action: 'person.read',
    outcome: 'allowed' as const,
    entryText: '',
    proof: [],
  });

  it('folds entries by day and by who, keeping every entry once and in order', () => {
    const entries = [
      entry(9, '2026-11-24T10:00:00Z', 'citizen', null),
      entry(8, '2026-11-24T09:59:00Z', 'citizen', null),
      entry(7, '2026-11-24T09:00:00Z', 'operator', 'enrolment_clerk'),
      entry(6, '2026-11-24T08:00:00Z', 'citizen', 'citizen'),
      entry(5, '2026-11-23T10:00:00Z', 'citizen', null),
      entry(4, '2026-11-23T09:00:00Z', 'operator', 'auditor'),
    ];
    const groups = groupAccessHistory(entries, (time) => time.slice(0, 10));
    expect(groups.map((group) => group.entries.map((line) => line.leafIndex))).toEqual([
      [9, 8, 6],
      [7],
      [5],
      [4],
    ]);
    const verdicts = new Map([
      [9, { ok: true }],
      [8, { ok: false }],
    ]);
    expect(groupVerdict(groups[0]!, (index) => verdicts.get(index))).toBe('failed');
    expect(groupVerdict(groups[1]!, (index) => verdicts.get(index))).toBe('pending');
    verdicts.set(7, { ok: true });
    expect(groupVerdict(groups[1]!, (index) => verdicts.get(index))).toBe('ok');
  });

  it("names an offline list by its point and its snapshot's date, not by the generic hand-over", () => {
    const offlineList = {
      pointCode: 'kiosco-catia',
      pointName: 'Kiosco Catia',
      deviceLabel: 'Tableta 7',
      snapshotIssuedAt: '2026-12-03T09:30:00Z',
    };
    const listed = { ...entry(3, '2026-12-03T09:30:00Z', 'operator', 'program_officer') };
    const group = groupAccessHistory(
      [
        { ...listed, action: 'distribution.redeem', offlineList },
        { ...entry(2, '2026-12-03T09:00:00Z', 'operator', 'program_officer') },
      ],
      (time) => time.slice(0, 10),
    )[0]!;
    expect(distinctActions(group)).toEqual(['distribution.offline_list', 'person.read']);
    const format = { es: formattersFor('es'), en: formattersFor('en') };
    expect(offlineListText(offlineList, '09:30', t.en, format.en)).toBe(
      `09:30 — Included in the offline list of point Kiosco Catia (snapshot of ${format.en.date('2026-12-03T09:30:00Z')}).`,
    );
    expect(offlineListText(offlineList, '09:30', t.es, format.es)).toBe(
      `09:30 — Se le incluyó en la lista sin conexión del punto Kiosco Catia (instantánea del ${format.es.date('2026-12-03T09:30:00Z')}).`,
    );
    for (const language of ['es', 'en'] as const) {
      expect(t[language]('history.action.distribution.offline_list')).not.toContain('history.');
    }
  });
});
