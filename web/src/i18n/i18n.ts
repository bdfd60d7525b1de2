import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { es } from './es.js';

/**
 * Spanish by default, English on request; the choice is kept in localStorage so it survives
 * reloads and sign-outs. `<html lang>` follows, so screen readers pronounce the right language,
 * and so does the manifest an installed app takes its name from.
 *
 * @example
 *   await setLanguage('en');
 */
export const languages = ['es', 'en'] as const;
export type Language = (typeof languages)[number];

const storageKey = 'amparo.language';

function storedLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(storageKey);
  return stored === 'en' || stored === 'es' ? stored : 'es';
}

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { es: { translation: es }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: 'es',
  // React escapes what it renders; i18next escaping on top would double-escape names.
  interpolation: { escapeValue: false },
  returnNull: false,
  // No console advertisement in an operator's browser.
  showSupportNotice: false,
});

/**
 * The address of an installable app's manifest in a language: Spanish keeps the plain name,
 * English adds `.en` (`/pos.webmanifest`, `/pos.en.webmanifest`), so the app installs with
 * its name and description in the console's language.
 *
 * @example
 *   manifestHref('pos', 'en'); // '/pos.en.webmanifest'
 */
export function manifestHref(app: string, language: string = i18n.language): string {
  return `/${app}${language === 'en' ? '.en' : ''}.webmanifest`;
}

/** `<html lang>` and the page's manifest (whichever app's it is) follow the language. */
function followLanguage(language: string): void {
  document.documentElement.lang = language;
  const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
  const app = /^\/([a-z]+)(?:\.en)?\.webmanifest$/.exec(link?.getAttribute('href') ?? '')?.[1];
  if (app !== undefined) link?.setAttribute('href', manifestHref(app, language));
}

followLanguage(i18n.language);
i18n.on('languageChanged', followLanguage);

export async function setLanguage(language: Language): Promise<void> {
  globalThis.localStorage?.setItem(storageKey, language);
  await i18n.changeLanguage(language);
}

export function currentLanguage(): Language {
  return i18n.language === 'en' ? 'en' : 'es';
}
