import { type RefObject, useCallback, useRef, useState } from 'react';

/**
 * The order of the offline panel's card checks and hand-overs. A check's answer is computed
 * asynchronously (the card's signature, the sealed usage read from IndexedDB), and it used to be
 * applied whenever it came: a check still running when the operator typed a quantity on the
 * answer on screen reset the quantities to "all that remains" (the hand-over then recorded the
 * whole basket), and one that read the usage before a hand-over's receipt was written showed
 * what was already handed over as still there. Now a check is numbered as it starts (`latest`);
 * its answer, and a hand-over's "recorded", is shown only if no check started since; a check
 * first waits for the hand-over being recorded (`recording`); and a hand-over is recorded once
 * at a time (`record` answers undefined while one runs, `recordingNow` disables the button).
 *
 * @example
 *   const { latest, recording, recordingNow, record } = useCheckOrder();
 *   const ticket = ++latest.current;
 *   await recording.current;
 *   const answer = await lookUp();
 *   if (ticket === latest.current) setAnswer(answer);
 */
export function useCheckOrder(): {
  latest: RefObject<number>;
  recording: RefObject<Promise<void>>;
  recordingNow: boolean;
  record: <T>(work: () => Promise<T>) => Promise<T> | undefined;
} {
  const latest = useRef(0);
  const recording = useRef<Promise<void>>(Promise.resolve());
  const [recordingNow, setRecordingNow] = useState(false);
  /** Set in the click itself: a second tap before the button shows disabled records nothing. */
  const running = useRef(false);
  const record = useCallback(<T>(work: () => Promise<T>): Promise<T> | undefined => {
    if (running.current) return undefined;
    running.current = true;
    setRecordingNow(true);
    const recorded = work();
    // Settled either way: a check waits for it to end, not for it to succeed.
    recording.current = recorded.then(
      () => undefined,
      () => undefined,
    );
    void recording.current.then(() => {
      running.current = false;
      setRecordingNow(false);
    });
    return recorded;
  }, []);
  return { latest, recording, recordingNow, record };
}
