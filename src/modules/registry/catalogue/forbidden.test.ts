import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeCatalogue } from './attributes.js';
import { findForbiddenName, forbiddenCategories, forbiddenReason } from './forbidden.js';
import { nameTokens, singularCandidates } from './name-tokens.js';

describe('nameTokens', () => {
  it('splits every common spelling of a name into the same words', () => {
    const expected = ['afiliacion', 'politica'];
    for (const spelling of [
      'afiliación_política',
      'afiliación-política',
      'AfiliaciónPolítica',
      'afiliaciónPolítica',
      'AFILIACIÓN_POLÍTICA',
      'afiliación.política',
      'afiliación política',
      '  afiliación  --  política ',
    ]) {
      expect(nameTokens(spelling), spelling).toEqual(expected);
    }
  });

  it('separates digits and acronyms, and folds full-width letters', () => {
    expect(nameTokens('votó2024')).toEqual(['voto', '2024']);
    expect(nameTokens('LGBTStatus')).toEqual(['lgbt', 'status']);
    expect(nameTokens('ｐａｒｔｉｄｏ')).toEqual(['partido']);
  });

  it('offers the singulars a word may be the plural of', () => {
    expect(singularCandidates('elecciones')).toContain('eleccion');
    expect(singularCandidates('parties')).toContain('party');
    expect(singularCandidates('votos')).toContain('voto');
    expect(singularCandidates('gay')).toEqual(['gay']);
  });
});

describe('findForbiddenName', () => {
  it('refuses the names the design calls out, whatever their spelling', () => {
    const refused: Array<[string, string]> = [
      ['partyMember', 'political_affiliation'],
      ['PARTIDO_POLITICO', 'political_affiliation'],
      ['afiliación-política', 'political_affiliation'],
      ['militancia', 'political_affiliation'],
      ['asistencia_mitin', 'political_affiliation'],
      ['votó_2024', 'voting'],
      ['voted', 'voting'],
      ['centro_de_votacion', 'voting'],
      ['elecciones', 'voting'],
      ['votingRecord', 'voting'],
      ['religión', 'religion'],
      ['iglesia', 'religion'],
      ['sindicato', 'trade_union'],
      ['tradeUnion', 'trade_union'],
      ['union', 'trade_union'],
      ['orientación sexual', 'sexual_orientation'],
      ['isLGBT', 'sexual_orientation'],
      ['socialMediaHandles', 'social_media'],
      ['red.social', 'social_media'],
      ['redes-sociales', 'social_media'],
      ['facebookid', 'social_media'],
      ['x_handle', 'social_media'],
      ['gps', 'location_trace'],
      ['geolocalización', 'location_trace'],
      ['ubicacion_en_tiempo_real', 'location_trace'],
      ['locationHistory', 'location_trace'],
      ['pollingstation', 'voting'],
      ['pArTiDo', 'political_affiliation'],
    ];
    for (const [name, category] of refused) {
      expect(findForbiddenName(name)?.category.id, name).toBe(category);
    }
  });

  it('refuses on purpose some names that could be innocent, because the word is forbidden', () => {
    // README.md: a false refusal costs a rename; a false acceptance is what the safeguard
    // exists to prevent. The catalogue avoids these words.
    for (const name of ['third_party_payer', 'union_date', 'counterparty', 'current_location']) {
      expect(findForbiddenName(name), name).toBeDefined();
    }
  });

  it('accepts ordinary words that merely contain or resemble a forbidden one', () => {
    for (const name of [
      'parish_code',
      'parroquia',
      'hogar_compartido',
      'monto_repartido',
      'fe_de_vida',
      'seguridad_social',
      'shared_social_housing',
      'registered_social_program',
      'electricity_access',
      'selector',
      'militar',
      'cultura',
      'policy_number',
      'event_handler',
      'latino',
      'longitud_nombre',
      'family_reunion',
      'communication_channel',
      'orientacion_vocacional',
      'sex',
      'departamento',
      'participant',
      'pivot_table',
      'denomination',
      'asistencia_social',
      'afiliacion_ivss',
      'campana_vacunacion',
      'marcha_asistida',
      'delivery_location',
      'sexual_health',
    ]) {
      expect(findForbiddenName(name), name).toBeUndefined();
    }
  });

  it('accepts every declared attribute name', () => {
    for (const attribute of attributeCatalogue.attributes) {
      expect(findForbiddenName(attribute.name), attribute.name).toBeUndefined();
    }
  });

  it('refuses every listed term of every category, as written', () => {
    for (const category of forbiddenCategories) {
      for (const term of category.terms) {
        expect(findForbiddenName(term)?.category.id, term).toBe(category.id);
      }
    }
  });

  it('states the category in its reason', () => {
    const match = findForbiddenName('partido');
    expect(match && forbiddenReason(match.category)).toBe(
      'political affiliation is a category Amparo never holds',
    );
  });
});

const allTerms = forbiddenCategories.flatMap((category) =>
  category.terms.map((term) => ({ term, category: category.id })),
);

/** A word written with random letter case, for separators that keep words apart. */
const randomCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((flags) => [...word].map((c, i) => (flags[i] ? c.toUpperCase() : c)).join(''));

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The words of a term written in one of the spellings people use for identifiers. */
function spellingOf(words: string[]): fc.Arbitrary<string> {
  const separated = fc
    .tuple(fc.constantFrom('_', '-', ' ', '.', '__', ' - '), fc.tuple(...words.map(randomCase)))
    .map(([separator, cased]) => cased.join(separator));
  const camel = fc.constant(words[0] + words.slice(1).map(capitalised).join(''));
  const pascal = fc.constant(words.map(capitalised).join(''));
  const joined = fc.constantFrom(words.join(''), words.join('').toUpperCase());
  return fc.oneof(separated, camel, pascal, joined);
}

const safeVocabulary = [
  'given',
  'names',
  'surname',
  'birth',
  'date',
  'code',
  'state',
  'municipality',
  'parish',
  'locality',
  'address',
  'line',
  'phone',
  'email',
  'language',
  'income',
  'band',
  'disability',
  'status',
  'document',
  'number',
  'type',
  'country',
  'photo',
  'household',
  'size',
  'member',
  'relationship',
  'head',
  'civil',
  'education',
  'level',
  'school',
  'grade',
  'occupation',
  'employment',
  'water',
  'electricity',
  'dwelling',
  'roof',
  'floor',
  'rooms',
  'pension',
  'benefit',
  'program',
  'card',
  'issued',
  'expiry',
  'verified',
  'approximate',
  'mother',
  'father',
  'guardian',
  'child',
  'count',
  'monthly',
  'amount',
  'minor',
  'health',
  'insurance',
  'vaccination',
  'nutrition',
  'weight',
  'height',
  'social',
  'security',
  'nombre',
  'apellido',
  'fecha',
  'nacimiento',
  'estado',
  'municipio',
  'parroquia',
  'direccion',
  'telefono',
  'correo',
  'idioma',
  'ingreso',
  'discapacidad',
  'documento',
  'numero',
  'pais',
  'foto',
  'hogar',
  'miembro',
  'jefe',
  'escolaridad',
  'ocupacion',
  'vivienda',
  'agua',
  'luz',
  'beneficio',
  'tarjeta',
  'vencimiento',
  'madre',
  'padre',
  'hijo',
  'cantidad',
  'monto',
  'salud',
  'seguro',
  'vacuna',
  'peso',
  'talla',
  'sector',
  'calle',
  'casa',
  'piso',
  'zona',
  'barrio',
  'compartido',
  'fe',
  'vida',
  'cultura',
  'militar',
  'policy',
  'selector',
  'handler',
  'reunion',
  'shared',
  'registered',
];

describe('normaliser properties', () => {
  it('refuses any casing or separator variant of any forbidden term', () => {
    const variant = fc
      .constantFrom(...allTerms)
      .chain(({ term, category }) =>
        spellingOf(nameTokens(term)).map((name) => ({ name, category, term })),
      );
    fc.assert(
      fc.property(variant, ({ name, category }) => {
        expect(findForbiddenName(name)?.category.id).toBe(category);
      }),
      { numRuns: 600 },
    );
  });

  it('refuses a forbidden term inside a longer snake_case name, plural or not', () => {
    const word = fc.constantFrom(...safeVocabulary);
    const term = fc.constantFrom(...allTerms);
    fc.assert(
      fc.property(word, term, word, fc.boolean(), (before, { term: forbidden }, after, plural) => {
        const words = nameTokens(forbidden);
        const last = words[words.length - 1] ?? '';
        if (plural) words[words.length - 1] = /[aeiou]$/.test(last) ? `${last}s` : `${last}es`;
        expect(findForbiddenName([before, ...words, after].join('_'))).toBeDefined();
      }),
      { numRuns: 400 },
    );
  });

  it('accepts snake_case names built from an ordinary vocabulary', () => {
    const name = fc
      .array(fc.constantFrom(...safeVocabulary), { minLength: 1, maxLength: 4 })
      .map((words) => words.join('_'));
    fc.assert(
      fc.property(name, (candidate) => {
        expect(findForbiddenName(candidate)).toBeUndefined();
      }),
      { numRuns: 600 },
    );
  });
});
