-- A disbursement chunk and a payout batch ask which of a set of entitlements a live payout
-- already pays (`inLivePayouts`, issue #16, point 4): without an index on the entitlement
-- each ask read every payout instruction.

create index payout_instruction_entitlement on payout_instruction (reference_id)
  where reference_kind = 'entitlement';
