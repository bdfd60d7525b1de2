import { lazy, type ReactNode, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { Layout } from './components/layout.js';
import { PageHeading } from './components/page-heading.js';
import { FirstSignInPage } from './features/auth/first-sign-in-page.js';
import { SignInPage } from './features/auth/sign-in-page.js';
import { CitizenHomePage } from './features/citizen/citizen-home-page.js';
import { CitizenSignInPage } from './features/citizen/citizen-sign-in-page.js';
import { HomePage } from './features/home-page.js';
import { HouseholdPage } from './features/persons/household-page.js';
import { PersonPage } from './features/persons/person-page.js';
import { SearchPage } from './features/persons/search-page.js';
import { useSession } from './session/use-session.js';

// Pages with heavy dependencies (the card codec and QR reader, the enrolment form) load on
// first use, so signing in and searching stay light on a slow connection.
const AccountPage = lazy(async () => ({
  default: (await import('./features/account/account-page.js')).AccountPage,
}));
const AppealsPage = lazy(async () => ({
  default: (await import('./features/appeals/appeals-page.js')).AppealsPage,
}));
const OfflineStartPage = lazy(async () => ({
  default: (await import('./features/distribution/offline/offline-start.js')).OfflineStartPage,
}));
const DistributionPage = lazy(async () => ({
  default: (await import('./features/distribution/distribution-page.js')).DistributionPage,
}));
const SupervisionPage = lazy(async () => ({
  default: (await import('./features/distribution/supervision-page.js')).SupervisionPage,
}));
const StockPage = lazy(async () => ({
  default: (await import('./features/distribution/stock-page.js')).StockPage,
}));
const AuditPage = lazy(async () => ({
  default: (await import('./features/audit/audit-page.js')).AuditPage,
}));
const DeliveryPage = lazy(async () => ({
  default: (await import('./features/notifications/delivery-page.js')).DeliveryPage,
}));
const EnrolPage = lazy(async () => ({
  default: (await import('./features/enrolment/enrol-page.js')).EnrolPage,
}));
const ErasurePage = lazy(async () => ({
  default: (await import('./features/erasure/erasure-page.js')).ErasurePage,
}));
const ImportPage = lazy(async () => ({
  default: (await import('./features/imports/import-page.js')).ImportPage,
}));
const MoneyPage = lazy(async () => ({
  default: (await import('./features/payments/money-page.js')).MoneyPage,
}));
const PayoutsPage = lazy(async () => ({
  default: (await import('./features/payments/payouts-page.js')).PayoutsPage,
}));
const WalletPage = lazy(async () => ({
  default: (await import('./features/payments/wallet-page.js')).WalletPage,
}));
const PinApprovalsPage = lazy(async () => ({
  default: (await import('./features/payments/pin-approvals-page.js')).PinApprovalsPage,
}));
const PayeeAccountPage = lazy(async () => ({
  default: (await import('./features/payments/payee-account-page.js')).PayeeAccountPage,
}));
const PayeeStopPage = lazy(async () => ({
  default: (await import('./features/payments/payee-stop-page.js')).PayeeStopPage,
}));
const OperatorsPage = lazy(async () => ({
  default: (await import('./features/operators/operators-page.js')).OperatorsPage,
}));
const CardProofKeyPage = lazy(async () => ({
  default: (await import('./features/keys/card-proof-key-page.js')).CardProofKeyPage,
}));
const ManagedProgramsPage = lazy(async () => ({
  default: (await import('./features/programs/managed-programs-page.js')).ManagedProgramsPage,
}));
const ProgramPage = lazy(async () => ({
  default: (await import('./features/programs/program-page.js')).ProgramPage,
}));
const CyclePage = lazy(async () => ({
  default: (await import('./features/programs/cycle-page.js')).CyclePage,
}));
const PublicProgramsPage = lazy(async () => ({
  default: (await import('./features/programs/public-programs-page.js')).PublicProgramsPage,
}));
const ReviewQueuePage = lazy(async () => ({
  default: (await import('./features/enrolment/review-queue-page.js')).ReviewQueuePage,
}));
// The statistics pages carry the chart library and the map (recharts, d3-geo, topojson).
const StatisticsDashboardPage = lazy(async () => ({
  default: (await import('./features/statistics/statistics-pages.js')).StatisticsDashboardPage,
}));
const OpenDataPage = lazy(async () => ({
  default: (await import('./features/statistics/statistics-pages.js')).OpenDataPage,
}));
const PayPage = lazy(async () => ({
  default: (await import('./features/payments/pay-page.js')).PayPage,
}));
const MerchantPage = lazy(async () => ({
  default: (await import('./features/payments/merchant-page.js')).MerchantPage,
}));
const VerifyPage = lazy(async () => ({
  default: (await import('./features/verifier/verify-page.js')).VerifyPage,
}));

/** Every screen of the console and who may open it. */
export function App() {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/first-sign-in" element={<FirstSignInPage />} />
          <Route path="/persons" element={<Operator page={<SearchPage />} />} />
          <Route path="/persons/:personId" element={<Operator page={<PersonPage />} />} />
          <Route
            path="/persons/:personId/payee-account"
            element={<Operator page={<PayeeAccountPage />} />}
          />
          <Route path="/households/:householdId" element={<Operator page={<HouseholdPage />} />} />
          <Route path="/enrol" element={<Operator page={<EnrolPage />} />} />
          <Route path="/reviews" element={<Operator page={<ReviewQueuePage />} />} />
          <Route path="/imports" element={<Operator page={<ImportPage />} />} />
          <Route path="/audit" element={<Operator page={<AuditPage />} />} />
          <Route path="/account" element={<Operator page={<AccountPage />} />} />
          <Route path="/operators" element={<Operator page={<OperatorsPage />} />} />
          <Route path="/card-proof-key" element={<Operator page={<CardProofKeyPage />} />} />
          <Route path="/erasure" element={<Operator page={<ErasurePage />} />} />
          <Route path="/appeals" element={<Operator page={<AppealsPage />} />} />
          <Route path="/distribution" element={<PointOfService />} />
          <Route path="/distribution/stock" element={<Operator page={<StockPage />} />} />
          <Route
            path="/distribution/supervision"
            element={<Operator page={<SupervisionPage />} />}
          />
          <Route path="/programs" element={<PublicProgramsPage />} />
          <Route path="/programs/manage" element={<Operator page={<ManagedProgramsPage />} />} />
          <Route path="/programs/manage/:programId" element={<Operator page={<ProgramPage />} />} />
          <Route path="/programs/cycles/:cycleId" element={<Operator page={<CyclePage />} />} />
          <Route path="/messages" element={<Operator page={<DeliveryPage />} />} />
          <Route path="/statistics" element={<Operator page={<StatisticsDashboardPage />} />} />
          <Route path="/open-data" element={<OpenDataPage />} />
          <Route path="/money" element={<Operator page={<MoneyPage />} />} />
          <Route path="/money/payouts" element={<Operator page={<PayoutsPage />} />} />
          <Route path="/money/wallet" element={<Operator page={<WalletPage />} />} />
          <Route path="/pin-approvals" element={<Operator page={<PinApprovalsPage />} />} />
          <Route path="/citizen" element={<CitizenSignInPage />} />
          <Route path="/citizen/me" element={<Citizen page={<CitizenHomePage />} />} />
          <Route path="/pay" element={<Citizen page={<PayPage />} />} />
          <Route path="/merchant" element={<Operator page={<MerchantPage />} />} />
          <Route path="/verify" element={<VerifyPage />} />
          <Route path="/payee-stop" element={<PayeeStopPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}

function Operator({ page }: { page: ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (me?.kind !== 'operator') return <Navigate to="/sign-in" replace />;
  // A password an administrator handed over must be replaced before anything else.
  if (me.passwordChangeRequired && location.pathname !== '/account')
    return <Navigate to="/account" replace />;
  return page;
}

/**
 * The point of service: for a signed-in operator, the full page. Opened with the network off
 * (the session cannot be asked), the offline start page instead, from what this browser keeps;
 * it stays until the operator, back online, opens the full page, so a sync is not interrupted.
 */
function PointOfService() {
  const [startedOffline, setStartedOffline] = useState(() => !navigator.onLine);
  if (startedOffline) return <OfflineStartPage onFullApp={() => setStartedOffline(false)} />;
  return <Operator page={<DistributionPage />} />;
}

function Citizen({ page }: { page: ReactNode }) {
  const { me, loading } = useSession();
  if (loading) return <Loading />;
  return me?.kind === 'citizen' ? page : <Navigate to="/citizen" replace />;
}

function Loading() {
  const { t } = useTranslation();
  return <p aria-live="polite">{t('common.loading')}</p>;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <section>
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}
