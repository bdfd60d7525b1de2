-- Household facts at a cycle's reference date (issue #13, point 2: "derived ones, computed at
-- the cycle's reference date"). A rule's household counts and head of household are read from
-- the memberships in force at the end of the reference date, not from the current ones:
-- a membership counts when it began before then and had not ended by then (valid_from <
-- cutoff <= valid_to), where cutoff is 00:00 UTC on the day after the reference date.
--
-- The registry knows nothing of a person's household before their first membership (most are
-- recorded at enrolment, long after the household was formed), so a person's FIRST membership
-- also stands for the time before it: a cycle whose reference date precedes a person's
-- enrolment reads the household they were enrolled in, as it reads their enrolled attributes.
-- A later membership (a move) counts only from its valid_from. Which membership was first is
-- recorded here when the row is written, so that a batch over a million persons decides it per
-- row, without looking up each person's other memberships (docs/APPEALS.md, "Facts at the
-- reference date").
alter table household_membership add column first_of_person boolean;

-- Two memberships of one person opened in one transaction share valid_from: the one closed
-- first is the earlier.
update household_membership m
   set first_of_person = not exists (
         select 1 from household_membership e
          where e.person_id = m.person_id
            and (e.valid_from, coalesce(e.valid_to, 'infinity'))
              < (m.valid_from, coalesce(m.valid_to, 'infinity')));

alter table household_membership alter column first_of_person set not null;

comment on column household_membership.first_of_person is
  'True for the person''s first membership ever (set on insert): it also stands for the time before it, of which the registry has no record.';

-- Each person's memberships, all of them (the partial index on current ones does not cover a
-- closed membership): the insert guard below looks a person up, and a cycle's chunk reads its
-- persons' memberships by a range of person ids.
create index household_membership_person_idx on household_membership (person_id, valid_from);

create function household_membership_first_of_person() returns trigger
  language plpgsql
as $$
begin
  new.first_of_person := not exists (
    select 1 from household_membership e where e.person_id = new.person_id);
  return new;
end
$$;

comment on function household_membership_first_of_person() is
  'Marks a membership as the person''s first when no other membership of the person exists: whatever the application sends.';

create trigger household_membership_first_of_person before insert on household_membership
  for each row execute function household_membership_first_of_person();
