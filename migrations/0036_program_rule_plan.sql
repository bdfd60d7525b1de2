-- Issue #13, point 3b: a rule's plan (which part runs in SQL, which part is decided after
-- decryption in worker threads) is stored with the version it belongs to, so what ran is
-- on record next to the rule. Computed from the rule when the version is saved; null for a
-- version saved before this migration (computed again when read) or one that cannot be
-- planned (its publication is refused).
alter table program_version add column rule_plan jsonb;

comment on column program_version.rule_plan is 'Where the eligibility rule runs: {"sql": the narrowing condition in CEL run as SQL over clear facts, "workers": clauses decided after decryption in worker threads, "sealedFacts": sealed facts read}; null when saved before migration 0036 or not plannable.';
