import { useTranslation } from 'react-i18next';
import { Link, Navigate } from 'react-router';
import { PageHeading } from '../components/page-heading.js';
import { staffLinks } from '../session/staff-links.js';
import { useSession } from '../session/use-session.js';

/** The landing page: what Amparo is, and the way in for operators and for people. */
export function HomePage() {
  const { t } = useTranslation();
  const { me } = useSession();
  // Straight after signing in with a handed-over password: the one page that works.
  if (me?.kind === 'operator' && me.passwordChangeRequired)
    return <Navigate to="/account" replace />;
  return (
    <section>
      <PageHeading>{t('home.title')}</PageHeading>
      <p className="lead">{t('home.lead')}</p>
      <ul className="card-list">
        {me === null ? (
          <>
            <li>
              <Link to="/sign-in">{t('home.operator')}</Link>
            </li>
            <li>
              <Link to="/citizen">{t('home.citizen')}</Link>
            </li>
          </>
        ) : me.kind === 'citizen' ? (
          <li>
            <Link to="/citizen/me">{t('home.myRecord')}</Link>
          </li>
        ) : (
          // Staff see the tasks their roles allow, as in the menu: an administrator, who
          // reads no person data, is not offered a person search.
          staffLinks(me.roles).map((link) => (
            <li key={link.to}>
              <Link to={link.to}>{t(link.taskKey)}</Link>
            </li>
          ))
        )}
        <li>
          <Link to="/verify">{t('home.verify')}</Link>
        </li>
        <li>
          <Link to="/payee-stop">{t('home.payeeStop')}</Link>
        </li>
      </ul>
    </section>
  );
}
