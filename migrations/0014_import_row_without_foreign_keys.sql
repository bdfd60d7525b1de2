-- import_row: one row per imported file line, naming the person it became. Its foreign keys
-- (to import_job and person) cost two lookups per imported person, about a tenth of the
-- database's work in a million-person import, and protect against nothing the application can
-- do: each row is inserted in the same transaction as the person it names, and the application
-- role may delete neither persons nor import jobs (safeguard 5; migrator.test.ts checks the
-- grants). The primary key stays: one person per line of a job, so a resumed import cannot
-- import a line twice.

alter table import_row drop constraint import_row_job_id_fkey;
alter table import_row drop constraint import_row_person_id_fkey;

comment on table import_row is 'Which person each imported file line became: traces a record back to its source and proves one person per line (primary key). No foreign keys: written in the person''s own transaction, and neither parent can be deleted by the application (migration 0014).';
