-- A try at the counter without the card that stopped because the second check the staff chose
-- cannot be done for this person (no phone on file for a texted code, no photo on file) no
-- longer counts against the merchant's daily bound of tries. The bound is for tries that tried
-- something (an ID number and a PIN that did not pass, or a check that was started); a try
-- whose ID number and PIN passed and whose chosen check was unavailable tried nothing, and the
-- staff picks another check. The try stays written, refused, and listed for the supervisor.
alter table counter_assisted_payment add column check_unavailable text
  check (check_unavailable in ('no_phone', 'no_photo'));
alter table counter_assisted_payment add constraint counter_assisted_payment_check_unavailable_refused
  check (check_unavailable is null or refused_at is not null);

comment on column counter_assisted_payment.check_unavailable is 'Set when ID number and PIN passed but the chosen second check cannot be done for the person (no_phone, no_photo): the try stays refused and does not count against the merchant''s daily bound.';

grant update (check_unavailable) on counter_assisted_payment to amparo_app;
