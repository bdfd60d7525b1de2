import { useQueryClient } from '@tanstack/react-query';
import type { PersonRecord, Purpose, Role } from '../../../api/types.js';
import { purposesFor } from '../../../session/permissions.js';
import { CorrectionForm } from './correction-form.js';
import { DeathForm } from './death-form.js';
import { MoveForm } from './move-form.js';

/**
 * The changes an operator may make to an active record under the chosen purpose, each only
 * when the decision table allows it (`person.correct`, `person.move`, `person.record_death`).
 * After a change the record and its cards are read again.
 *
 * @example
 *   <RecordChanges person={person} purpose="enrolment" roles={['registry_supervisor']} />
 */
export function RecordChanges(props: {
  person: PersonRecord;
  purpose: Purpose;
  roles: readonly Role[];
}) {
  const queryClient = useQueryClient();
  const { person, purpose, roles } = props;
  if (person.status !== 'active') return null;
  const allowed = (action: 'person.correct' | 'person.move' | 'person.record_death') =>
    purposesFor(roles, action).includes(purpose);
  const reload = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['person', person.id, purpose] }),
      queryClient.invalidateQueries({ queryKey: ['cards', person.id, purpose] }),
    ]);
  return (
    <>
      {allowed('person.correct') ? (
        <CorrectionForm person={person} purpose={purpose} onDone={reload} />
      ) : null}
      {allowed('person.move') ? (
        <MoveForm personId={person.id} purpose={purpose} onDone={reload} />
      ) : null}
      {allowed('person.record_death') ? (
        <DeathForm personId={person.id} purpose={purpose} onDone={reload} />
      ) : null}
    </>
  );
}
