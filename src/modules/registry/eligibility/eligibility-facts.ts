import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { AttributeDeclaration, AttributeType } from '../catalogue/attribute-declaration.js';
import { listAttributes } from '../catalogue/catalogue.js';
import { municipalityInVersion } from '../persons/residence-municipality.js';
import { identifiesPerson } from './identifying-attributes.js';
import { openSealedFacts, type SealedFactsRow } from './sealed-facts.js';

/**
 * What an eligibility rule may know about a person: the catalogue's declared attributes that
 * the purpose `eligibility_review` may read and that cannot single a person out (no name, no
 * exact date of birth, no free text: `identifiesPerson`), plus facts derived from the registry at a
 * reference date (age, household composition). Only what a person *is*: the registry holds
 * nothing about what a person did, and nothing here reads another module's tables.
 *
 * The registry owns the SQL over its tables; a rule compiler composes over the relation
 * returned by `eligibilityFactsRelation`, whose columns are exactly `eligibilityFacts()`.
 *
 * @example
 *   const facts = eligibilityFactsRelation({ referenceDate: '2026-12-01' });
 *   await sql`select count(*) from ${facts} as f where f.age >= ${65n}`.execute(db);
 */

/** The value type of a fact, in CEL's names: `int` values are bigint, never number. */
export type EligibilityFactType = 'int' | 'bool' | 'string';

export interface EligibilityFact {
  readonly name: string;
  readonly type: EligibilityFactType;
  /**
   * Stored encrypted (e.g. `disability_status`): not in the SQL relation, decided only after
   * decryption.
   */
  readonly sealed: boolean;
  /** Declared in the catalogue (true) or derived by the registry at the reference date. */
  readonly declared: boolean;
  readonly description: { readonly en: string; readonly es: string };
}

/** Facts the registry derives at the reference date; none is stored. */
export const derivedEligibilityFacts: readonly EligibilityFact[] = Object.freeze([
  derived(
    'age',
    'int',
    'Age in whole years at the reference date (a year-only birth date counts from 1 July).',
    'Edad en años cumplidos a la fecha de referencia (si solo se sabe el año, desde el 1 de julio).',
  ),
  derived(
    'household_size',
    'int',
    "Members of the person's household at the reference date, the person included.",
    'Miembros del hogar de la persona a la fecha de referencia, ella incluida.',
  ),
  derived(
    'members_under_5',
    'int',
    'Members of the household younger than 5 at the reference date.',
    'Miembros del hogar menores de 5 años a la fecha de referencia.',
  ),
  derived(
    'members_under_18',
    'int',
    'Members of the household younger than 18 at the reference date.',
    'Miembros del hogar menores de 18 años a la fecha de referencia.',
  ),
  derived(
    'members_over_65',
    'int',
    'Members of the household aged 65 or more at the reference date.',
    'Miembros del hogar de 65 años o más a la fecha de referencia.',
  ),
  derived(
    'head_of_household',
    'bool',
    'True for the head of a household at the reference date.',
    'Verdadero para quien encabeza un hogar a la fecha de referencia.',
  ),
]);

function derived(name: string, type: EligibilityFactType, en: string, es: string): EligibilityFact {
  return { name, type, sealed: false, declared: false, description: { en, es } };
}

/** The CEL type of a catalogue attribute (an identifying one never gets this far). */
function factType(type: AttributeType): EligibilityFactType {
  switch (type.kind) {
    case 'integer':
      return 'int';
    case 'boolean':
      return 'bool';
    default:
      return 'string';
  }
}

function declaredFact(attribute: AttributeDeclaration): EligibilityFact | undefined {
  if (identifiesPerson(attribute.name)) return undefined;
  const type = factType(attribute.type);
  if (!attribute.purposes.includes('eligibility_review')) return undefined;
  return {
    name: attribute.name,
    type,
    sealed: attribute.sealed,
    declared: true,
    description: { en: attribute.description, es: attribute.descriptionEs },
  };
}

/**
 * Every fact a rule may name: declared attributes for `eligibility_review` that do not
 * identify a person (`identifiesPerson`), then derived ones.
 */
export function eligibilityFacts(): readonly EligibilityFact[] {
  const declared = listAttributes().flatMap((attribute) => declaredFact(attribute) ?? []);
  return [...declared, ...derivedEligibilityFacts];
}

export interface FactsRelationOptions {
  /** `YYYY-MM-DD`: ages are computed at this date. */
  referenceDate: string;
  /** Only this person (and, for the household counts, the members of their household). */
  personId?: string;
  /**
   * Only persons whose id is in `[from, to)` (`to` absent: no upper end), and for the
   * household counts the members of their households: one chunk of a batch run over the
   * person-id space (programs' resumable cycle computation).
   */
  personIdRange?: { from: string; to: string | undefined };
  /**
   * Also the ciphertext a sealed fact is decided from: `sealed_version`, `sealed_box` (the
   * current version's sealed attributes) and `sealed_key` (the wrapped data key, null once
   * erased). Only for `openSealedFacts`, in the programs' worker threads; never decrypted in SQL.
   */
  withSealed?: boolean;
  /**
   * Also `residence_municipality`: the municipality of residence on the same current version
   * (`municipalityInVersion`), for aggregate statistics only (a cycle's frozen set records it,
   * migration 0049). Not a fact: no rule can name it.
   */
  withMunicipality?: boolean;
  /**
   * Only these facts are computed (the ones a rule reads); the others are null columns. Spares
   * a batch the household window aggregates, the household lookup or the age when its rule
   * needs none of them: at a million persons they are most of the query's time.
   */
  only?: readonly string[];
  /**
   * The household counts, computed once for a whole batch (`householdCountsRelation`, kept by
   * the caller): a relation with `household_id` and the four count columns. With it a chunk
   * reads only its own persons and joins their households' counts, instead of reading every
   * member of its households (which PostgreSQL answered by hashing every person and membership
   * for each chunk: a batch of k chunks read k times the registry).
   */
  householdCounts?: RawBuilder<unknown>;
}

/** The derived facts that count a household's members. */
export const householdCountFacts = [
  'household_size',
  'members_under_5',
  'members_under_18',
  'members_over_65',
] as const;

/** `(age expression)` of a person version `v` at the reference date, null when unknown. */
function ageAt(reference: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`case
            when v.attributes ->> 'birth_date' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
              then extract(year from age(${reference}, (v.attributes ->> 'birth_date')::date))::int8
            when v.attributes ->> 'birth_date' ~ '^[0-9]{4}$'
              then extract(year from age(${reference},
                     make_date((v.attributes ->> 'birth_date')::int, 7, 1)))::int8
          end`;
}

/**
 * The instant a membership is read at: the end of the reference date, 00:00 UTC the day after
 * (a membership that began or ended during the reference date is read as it stood after it).
 */
function membershipCutoff(referenceDate: string): RawBuilder<unknown> {
  return sql`((${referenceDate}::date + 1)::timestamp at time zone 'UTC')`;
}

/**
 * The membership `alias` counts at the reference date: it had begun by the cutoff and not
 * ended by then, or it is the person's first membership (migration 0093: the registry has no
 * record of the time before it, and reads it as the household the person had then too). A
 * person has at most one such membership: memberships follow one another, and a first one
 * that began after the cutoff comes before all the others.
 */
function membershipInForce(alias: string, cutoff: RawBuilder<unknown>): RawBuilder<unknown> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql`(${column('valid_to')} is null or ${column('valid_to')} >= ${cutoff})
    and (${column('valid_from')} < ${cutoff} or ${column('first_of_person')})`;
}

/**
 * Every household's counts at the reference date, one row per household with an active
 * member: `household_id`, `household_size`, `members_under_5`, `members_under_18`,
 * `members_over_65` — the same counts `eligibilityFactsRelation` gives each member. One pass
 * over the registry: a batch writes it once and hands it to each chunk (`householdCounts`).
 *
 * @example
 *   await sql`insert into counts select * from ${householdCountsRelation({ referenceDate })} c`.execute(trx);
 */
export function householdCountsRelation(options: { referenceDate: string }): RawBuilder<unknown> {
  const reference = sql`${options.referenceDate}::date`;
  const inForce = membershipInForce('m', membershipCutoff(options.referenceDate));
  return sql`(
    select a.household_id,
           count(*)::int8 as household_size,
           (count(*) filter (where a.age < 5))::int8 as members_under_5,
           (count(*) filter (where a.age < 18))::int8 as members_under_18,
           (count(*) filter (where a.age >= 65))::int8 as members_over_65
      from (
        select m.household_id, ${ageAt(reference)} as age
          from person p
          join person_version v on v.person_id = p.id and v.version = p.current_version
          join household_membership m on m.person_id = p.id and ${inForce}
         where p.status = 'active'
      ) a
     group by a.household_id
  )`;
}

/**
 * How many persons are active now: what a batch over every active person (a cycle's round)
 * sizes its chunks by.
 */
export async function activePersonCount(db: Kysely<Database>): Promise<number> {
  const row = await sql<{ count: string }>`select count(*) as count from person
     where status = 'active'`.execute(db);
  return Number(row.rows[0]?.count ?? 0);
}

/** `(attributes->>'name')` with the cast its type needs. */
function attributeColumn(source: 'a' | 'hv', fact: EligibilityFact): RawBuilder<unknown> {
  const text = sql`(${sql.ref(`${source}.attributes`)} ->> ${sql.lit(fact.name)})`;
  if (fact.type === 'int') return sql`${text}::int8`;
  if (fact.type === 'bool') return sql`${text}::boolean`;
  return text;
}

/**
 * The facts of every active person, one row each: `person_id`, `region_code`, and one column
 * per clear fact of `eligibilityFacts()` (null when unknown). Sealed facts are not columns.
 */
export function eligibilityFactsRelation(options: FactsRelationOptions): RawBuilder<unknown> {
  const reference = sql`${options.referenceDate}::date`;
  const wanted = (name: string) => options.only === undefined || options.only.includes(name);
  const clear = eligibilityFacts().filter((fact) => fact.declared && !fact.sealed);
  const subjectOf = (fact: EligibilityFact) =>
    listAttributes().find((attribute) => attribute.name === fact.name)?.subject === 'household'
      ? 'hv'
      : 'a';
  const columns = clear.map((fact) =>
    wanted(fact.name)
      ? sql`${attributeColumn(subjectOf(fact), fact)} as ${sql.id(fact.name)}`
      : sql`${nullOf(fact.type)} as ${sql.id(fact.name)}`,
  );
  const needsCounts = householdCountFacts.some(wanted);
  // The given counts are probed per person (a subquery with OFFSET is not flattened into a
  // join): a table just written has no statistics (the application role cannot ANALYZE it),
  // and the planner then drove the join from every household instead of the chunk's persons.
  const given = needsCounts ? options.householdCounts : undefined;
  const needsHousehold = clear.some((fact) => wanted(fact.name) && subjectOf(fact) === 'hv');
  const needsMembership = needsCounts || needsHousehold || wanted('head_of_household');
  const selected = selectedPersons(options);
  const cutoff = membershipCutoff(options.referenceDate);
  const members = sql`select o.person_id from household_membership o
           where ${membershipInForce('o', cutoff)} and o.household_id in (
             select s.household_id from household_membership s
              where ${selected === undefined ? sql`true` : selected('s.person_id')} and ${membershipInForce('s', cutoff)})`;
  // One person: a union, not `id = $1 or id in (…)`, which the planner answers with a scan of
  // every person (the explanation's p99).
  // A range: the persons in it, and their households' members only when the counts need them
  // (a union too: `in range or in (…)` read every person and every membership for each chunk,
  // so a batch of k chunks read k times the registry).
  const withMembers = options.personId !== undefined || (needsCounts && given === undefined);
  const scope =
    selected === undefined
      ? sql`true`
      : options.personId !== undefined
        ? sql`p.id in (select ${options.personId}::uuid union ${members})`
        : withMembers
          ? sql`p.id in (select r.id from person r where ${selected('r.id')} union ${members})`
          : selected('p.id');
  // No CTE joined back to itself: a fresh embedded database has no statistics (PGlite runs no
  // autovacuum), and the planner then joined two materialised CTEs by nested loop, quadratic
  // in the population. Household counts are window aggregates over the one join instead.
  const household = sql`partition by m.household_id`;
  const count = (name: string, condition: RawBuilder<unknown>) =>
    !wanted(name)
      ? sql`null::int8 as ${sql.id(name)}`
      : given !== undefined
        ? sql`hc.${sql.id(name)} as ${sql.id(name)}`
        : sql`case when m.household_id is not null
          then (count(*) filter (where ${condition}) over (${household}))::int8 end as ${sql.id(name)}`;
  const municipalityOut = options.withMunicipality ? sql`, residence_municipality` : sql``;
  const municipalityIn = options.withMunicipality
    ? sql`, ${municipalityInVersion(sql.ref('a.attributes'))} as residence_municipality`
    : sql``;
  const sealedOut = options.withSealed ? sql`, sealed_version, sealed_box, sealed_key` : sql``;
  const sealedIn = options.withSealed
    ? sql`, a.version as sealed_version, a.sealed_attributes as sealed_box,
          (select k.wrapped_key from person_key k where k.person_id = a.id) as sealed_key`
    : sql``;
  const needsAgeHere = (needsCounts && given === undefined) || wanted('age');
  const age = needsAgeHere ? ageAt(reference) : sql`null::int8`;
  // A chunk of the person-id space (scope: its persons only) names its range on the versions
  // and memberships too: PostgreSQL does not carry a range from one side of a join to the
  // other, and otherwise answered each chunk with a hash join over every version (and
  // membership) of the registry, so a batch of k chunks read k times the tables.
  const ranged = withMembers ? undefined : selected;
  const versionRange = ranged === undefined ? sql`` : sql` and ${ranged('v.person_id')}`;
  const membershipRange = ranged === undefined ? sql`` : sql` and ${ranged('m.person_id')}`;
  const membership = needsMembership
    ? sql`left join household_membership m on m.person_id = a.id and ${membershipInForce('m', cutoff)}${membershipRange}`
    : sql`left join (select null::uuid as household_id, null::text as relationship) m on false`;
  const householdVersion = needsHousehold
    ? sql`left join lateral (
            select x.attributes from household_version x
             where x.household_id = m.household_id order by x.version desc limit 1
          ) hv on true`
    : sql``;
  return sql`(
    select person_id, region_code, ${sql.join(eligibilityFactColumns().map((name) => sql.ref(name)))}${sealedOut}${municipalityOut}
      from (
        select a.id as person_id, a.region_code${sealedIn}${municipalityIn},
               ${sql.join(columns)},
               a.age,
               ${count('household_size', sql`true`)},
               ${count('members_under_5', sql`a.age < 5`)},
               ${count('members_under_18', sql`a.age < 18`)},
               ${count('members_over_65', sql`a.age >= 65`)},
               (m.relationship = 'head') as head_of_household
          from (
            select p.id, p.region_code, v.attributes${options.withSealed ? sql`, v.version, v.sealed_attributes` : sql``},
                   ${age} as age
              from person p
              join person_version v on v.person_id = p.id and v.version = p.current_version
             where p.status = 'active' and (${scope})${versionRange}
          ) a
          ${membership}
          ${householdVersion}
          ${given === undefined ? sql`` : sql`left join lateral (select * from ${given} g where g.household_id = m.household_id offset 0) hc on true`}
      ) facts
     ${selected === undefined ? sql`` : sql`where ${selected('person_id')}`}
  )`;
}

function nullOf(type: EligibilityFactType): RawBuilder<unknown> {
  if (type === 'int') return sql`null::int8`;
  if (type === 'bool') return sql`null::boolean`;
  return sql`null::text`;
}

/** The relation's fact columns, in order: clear declared attributes, then derived facts. */
function eligibilityFactColumns(): string[] {
  return eligibilityFacts()
    .filter((fact) => !fact.sealed)
    .map((fact) => fact.name);
}

/** The condition naming the selected persons on a person-id column, or none for everyone. */
function selectedPersons(
  options: FactsRelationOptions,
): ((column: string) => RawBuilder<unknown>) | undefined {
  const { personId, personIdRange } = options;
  if (personId !== undefined) return (column) => sql`${sql.ref(column)} = ${personId}::uuid`;
  if (personIdRange === undefined) return undefined;
  const { from, to } = personIdRange;
  return (column) =>
    to === undefined
      ? sql`${sql.ref(column)} >= ${from}::uuid`
      : sql`(${sql.ref(column)} >= ${from}::uuid and ${sql.ref(column)} < ${to}::uuid)`;
}

/**
 * One person's facts at the reference date, or undefined when the person is not active. With
 * `sealed`, the sealed facts named there are opened too (`openSealedFacts`); the caller has
 * audited the read with those fields.
 */
export async function readEligibilityFacts(
  db: Kysely<Database>,
  personId: string,
  referenceDate: string,
  sealed?: { masterKey: Buffer; names: readonly string[] },
): Promise<Record<string, unknown> | undefined> {
  const withSealed = sealed !== undefined && sealed.names.length > 0;
  const relation = eligibilityFactsRelation({ referenceDate, personId, withSealed });
  const result = await sql<Record<string, unknown>>`select * from ${relation} as f`.execute(db);
  const row = result.rows[0];
  if (row === undefined || !withSealed) return row;
  const { sealed_version, sealed_box, sealed_key, ...clear } = row;
  const opened = openSealedFacts(
    sealed.masterKey,
    // Safe: the relation's sealed columns have exactly these types (int4, bytea, bytea).
    { person_id: personId, sealed_version, sealed_box, sealed_key } as SealedFactsRow,
    sealed.names,
  );
  return { ...clear, ...opened };
}
