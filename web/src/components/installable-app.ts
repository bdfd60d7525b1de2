import { useEffect } from 'react';
import { manifestHref } from '../i18n/i18n.js';

/**
 * A page of the console installable as an app of its own (the point of service, the payment
 * app): its manifest (start and scope its own, in the console's language; `i18n.ts` swaps it
 * when the language changes) replaces the console's while the page is shown, and the console's
 * service worker is registered for its scope, which keeps the app shell and every built file, so
 * the page opens with the network off.
 *
 * @example
 *   useInstallableApp('pos', '/distribution'); // links /pos.webmanifest or /pos.en.webmanifest
 */
export function useInstallableApp(app: 'pos' | 'pay', scope: string): void {
  useEffect(() => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
    link?.setAttribute('href', manifestHref(app));
    if ('serviceWorker' in navigator) {
      void navigator.serviceWorker.register('/sw.js', { scope }).catch(() => undefined);
    }
    // Left, the console's own manifest (the offline verifier's) in the language of the moment.
    return () => link?.setAttribute('href', manifestHref('manifest'));
  }, [app, scope]);
}
