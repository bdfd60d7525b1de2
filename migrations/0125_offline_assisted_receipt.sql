-- A hand-over without the card made offline with a household member's card (issue #15, points 4
-- and 5; safeguard 9): the device's receipt names the member's card in place of the person's,
-- and the sync, once it has checked that card and the household at the receipt's time, records
-- an assisted redemption (method household_card) exactly as online. The kept receipt points at
-- it, so a replay answers the first result and the supervisor's list, the person's history and
-- the reconciliation's "assisted" count see it once. Null for receipts made with the card.
alter table offline_receipt add column assisted_id uuid references assisted_redemption (id);
comment on column offline_receipt.assisted_id is 'The assisted redemption this receipt recorded (a hand-over without the card, with a household member''s card); null when made with the person''s card.';
