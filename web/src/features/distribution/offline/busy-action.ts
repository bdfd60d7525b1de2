import { useCallback, useState } from 'react';

/**
 * One piece of work at a time from a panel's buttons: busy while it runs (the buttons disabled),
 * its failure kept for the panel's notice and cleared when the next starts. Shared by the
 * page's pending sync and the offline panel.
 *
 * @example
 *   const { busy, error, act } = useBusyAction();
 *   <button disabled={busy} onClick={() => act(() => download())}>…</button>
 */
export function useBusyAction(): {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  act: (work: () => Promise<void>) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const act = useCallback((work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    work()
      .catch(setError)
      .finally(() => setBusy(false));
  }, []);
  return { busy, error, setError, act };
}
