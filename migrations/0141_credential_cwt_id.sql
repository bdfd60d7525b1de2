-- Cards carry 128 random bits (review of session 18, finding F2). A card's id is the first 16
-- bytes of SHA-256 of its signed CWT payload, and that payload held only what is printed on the
-- card (UIN, name, date of birth, sex) and its expiry to the second: anyone who knew those facts
-- could compute the id in at most 86,400 tries and find the card's hash in an offline snapshot
-- or in the public revocation list. A card now carries a CWT `cti` claim (RFC 8392 claim 7) of
-- 16 random bytes, so its id can no longer be computed without the card.
--
-- No QR text is stored (migration 0011): a card is produced again by signing the stored person
-- version again, so the random bytes must be kept to produce the same card. They are not
-- personal data and say nothing about the holder. Cards issued before have none (null) and keep
-- their ids; reissuing such a card is how an agency removes the exposure.

alter table credential
  add column cwt_id bytea check (cwt_id is null or octet_length(cwt_id) = 16);

comment on column credential.cwt_id is 'The card''s CWT cti claim: 16 random bytes, so that the credential id (a hash of the signed payload) cannot be computed from what is printed on the card. Null for cards issued before migration 0141, which carry no cti.';
comment on column credential.id is 'Credential id: first 16 bytes of SHA-256 of the signed CWT payload (derived from the card, not carried in it). Unguessable for cards with a cwt_id; for older cards it can be computed from the printed facts.';
