-- The two largest credits of each disbursement chunk (issue #17, point 3: the p % dominance
-- rule for amounts). Statistics publishes amounts paid by program and month; a cell is
-- sensitive when its largest payment could be estimated from the rest, which needs a cell's
-- two largest single payments. The payments module keeps no row per payment, so each chunk
-- records its two largest credits when it is counted, in the same transaction; a cell's two
-- largest are the two largest of its chunks'. A chunk counted before this table existed has no
-- row here (the rule is then not applied to its disbursement: the read model says so).
-- (Numbered before the payments tables it describes: the lane's number; it references none.)
create table payment_chunk_largest_credits (
  disbursement_id uuid not null,
  chunk integer not null check (chunk >= 0),
  largest_minor bigint not null check (largest_minor >= 0),
  second_minor bigint not null check (second_minor >= 0),
  primary key (disbursement_id, chunk),
  check (second_minor <= largest_minor)
);
comment on table payment_chunk_largest_credits is 'The two largest single credits of each counted disbursement chunk (payment_disbursement_chunk), for the p % dominance rule of the statistics tables of amounts. Amounts only: no person, wallet or transfer.';
comment on column payment_chunk_largest_credits.disbursement_id is 'The disbursement (payment_disbursement.id).';
comment on column payment_chunk_largest_credits.chunk is 'The chunk (payment_disbursement_chunk.chunk).';
comment on column payment_chunk_largest_credits.largest_minor is 'The largest single credit of the chunk, in minor units (0 when it credited none).';
comment on column payment_chunk_largest_credits.second_minor is 'The second-largest single credit of the chunk, in minor units (0 when it credited fewer than two).';
grant select, insert on payment_chunk_largest_credits to amparo_app;
