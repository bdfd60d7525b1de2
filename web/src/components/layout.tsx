import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useNavigate } from 'react-router';
import { type Language, languages, setLanguage } from '../i18n/i18n.js';
import { staffLinks } from '../session/staff-links.js';
import { useSession, useSignOut } from '../session/use-session.js';

/**
 * The frame of every page: skip link, banner with the role-aware navigation, the language
 * switch and who is signed in, then the page in `<main>`.
 */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('layout.skipToContent')}
      </a>
      <header className="banner">
        <div className="banner-top">
          <NavLink to="/" className="brand">
            Amparo
          </NavLink>
          <LanguageSwitch />
          <WhoAmI />
        </div>
        <Navigation />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <p>{t('layout.footer')}</p>
      </footer>
    </>
  );
}

function Navigation() {
  const { t } = useTranslation();
  const { me } = useSession();
  const links: Array<{ to: string; label: string }> = [];
  if (me?.kind === 'operator' && me.passwordChangeRequired) {
    links.push({ to: '/account', label: t('nav.account') });
  } else if (me?.kind === 'operator') {
    for (const link of staffLinks(me.roles)) links.push({ to: link.to, label: t(link.labelKey) });
  } else if (me?.kind === 'citizen') {
    links.push({ to: '/citizen/me', label: t('nav.myRecord') });
  } else {
    links.push({ to: '/sign-in', label: t('nav.operatorSignIn') });
    links.push({ to: '/citizen', label: t('nav.citizen') });
  }
  links.push({ to: '/programs', label: t('nav.publicPrograms') });
  links.push({ to: '/open-data', label: t('nav.openData') });
  links.push({ to: '/verify', label: t('nav.verify') });
  return (
    <nav aria-label={t('nav.label')}>
      <ul className="nav-list">
        {links.map((link) => (
          <li key={link.to}>
            {/* The public programs page is not the parent of the staff's program pages. */}
            <NavLink to={link.to} end={link.to === '/programs'}>
              {link.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="language-switch">
      <label htmlFor="language">{t('layout.language')}</label>
      <select
        id="language"
        value={i18n.language}
        onChange={(event) => void setLanguage(event.target.value as Language)}
      >
        {languages.map((language) => (
          <option key={language} value={language} lang={language}>
            {t(`layout.languageName.${language}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function WhoAmI() {
  const { t } = useTranslation();
  const { me } = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  if (me === null) return null;
  const name =
    me.kind === 'operator'
      ? t('layout.operatorIs', {
          name: me.displayName,
          roles: me.roles.map((role) => t(`role.${role}`)).join(', '),
        })
      : t('layout.citizenIs');
  return (
    <div className="who-am-i">
      <span data-testid="who-am-i">{name}</span>
      <button
        type="button"
        className="button-secondary"
        onClick={() => signOut.mutate(undefined, { onSettled: () => navigate('/') })}
      >
        {t('layout.signOut')}
      </button>
    </div>
  );
}
