-- Issue #13, performance: a cycle's eligible set over a million persons within 10 s. A round's
-- chunks were written one after another, in order (program_cycle_run.chunks_done named the
-- next one), each a transaction that used one core while the other stayed idle. Chunks are
-- independent ranges of the person-id space, so two can be written at once; the run then
-- needs to know which chunks are written, not how many.
--
-- A chunk's transaction inserts its row here before it writes the chunk's members, and the
-- row commits with them: a chunk with a row is written, whole. A second computer that reaches
-- the same chunk waits on the first's uncommitted row and then finds it taken (the primary
-- key), so no chunk is written twice, whoever runs at once; a run killed halfway resumes with
-- the chunks that have no row. chunks_done still counts them (the progress bar), one per
-- chunk, in the same transaction.
create table program_cycle_run_chunk (
  cycle_id uuid not null,
  round integer not null,
  chunk integer not null check (chunk >= 0 and chunk < 4096),
  written_at timestamptz not null default now(),
  primary key (cycle_id, round, chunk),
  foreign key (cycle_id, round) references program_cycle_run (cycle_id, round)
);

comment on table program_cycle_run_chunk is 'The chunks of a cycle round''s computation already written: each row commits with its chunk''s members, so a resumed or concurrent run writes only the chunks without one.';
comment on column program_cycle_run_chunk.cycle_id is 'The cycle.';
comment on column program_cycle_run_chunk.round is 'The round being computed.';
comment on column program_cycle_run_chunk.chunk is 'The chunk of the person-id space (program_cycle_run.chunks_total of them, from 0).';
comment on column program_cycle_run_chunk.written_at is 'When the chunk''s transaction wrote it.';

comment on column program_cycle_run.chunks_done is 'Chunks written so far (the rows of program_cycle_run_chunk); the progress bar.';

-- Runs computed before: their first chunks_done chunks were written, in order.
insert into program_cycle_run_chunk (cycle_id, round, chunk, written_at)
select r.cycle_id, r.round, c.chunk, r.updated_at
  from program_cycle_run r, generate_series(0, r.chunks_done - 1) as c(chunk);

create trigger program_cycle_run_chunk_immutable before update or delete on program_cycle_run_chunk
  for each row execute function program_history_immutable();

grant select, insert on program_cycle_run_chunk to amparo_app;
