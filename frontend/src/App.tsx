import { useEffect } from 'react'
import { Link, Navigate, Outlet, Route, Routes, useLocation, useNavigate, useParams } from 'react-router'
import type { Locale } from './api/types'
import { Spinner } from './components/ui'
import { LOCALES, useI18n } from './i18n'
import { AuthPage } from './pages/AuthPage'
import { HomePage } from './pages/HomePage'
import { InterviewRoomPage } from './pages/InterviewRoomPage'
import { NewInterviewPage } from './pages/NewInterviewPage'
import { ReportPage } from './pages/ReportPage'
import { useAuth } from './state/auth'

function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n()
  const names: Record<Locale, string> = { en: 'EN', ko: '한국어' }
  return (
    <div className="lang-switch" role="group" aria-label={t('nav.language')}>
      {LOCALES.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          className={l === locale ? 'selected' : undefined}
          aria-pressed={l === locale}
          onClick={() => setLocale(l)}
        >
          {names[l]}
        </button>
      ))}
    </div>
  )
}

function AccountMenu() {
  const { t } = useI18n()
  const { user, signOut, deleteAccount } = useAuth()
  const navigate = useNavigate()
  if (!user) return null
  const remove = async () => {
    if (!window.confirm(t('nav.deleteAccountConfirm'))) return
    try {
      await deleteAccount()
      navigate('/signup', { replace: true })
    } catch {
      window.alert(t('error.unexpected'))
    }
  }
  return (
    <details className="account-menu">
      <summary aria-label={t('nav.account')}>
        <span className="avatar" aria-hidden="true">
          {(user.display_name || user.email).slice(0, 1).toUpperCase()}
        </span>
      </summary>
      <div className="menu glass">
        <p className="small muted menu-email">{user.email}</p>
        <button type="button" className="btn btn-ghost btn-block" onClick={() => void signOut().then(() => navigate('/signin'))}>
          {t('nav.signOut')}
        </button>
        <button type="button" className="btn btn-danger btn-block" onClick={() => void remove()}>
          {t('nav.deleteAccount')}
        </button>
      </div>
    </details>
  )
}

function Header() {
  const { t } = useI18n()
  const { user } = useAuth()
  return (
    <header className="app-header no-print">
      <Link to="/" className="brand">
        <span className="brand-mark" aria-hidden="true" />
        {t('brand.name')}
      </Link>
      <nav aria-label={t('nav.main')} className="app-nav">
        {user && (
          <>
            <Link to="/">{t('nav.home')}</Link>
            <Link to="/interviews/new">{t('nav.new')}</Link>
          </>
        )}
      </nav>
      <div className="header-tools">
        <LanguageSwitch />
        <AccountMenu />
      </div>
    </header>
  )
}

/** Signed-in pages send a signed-out visitor to sign in, and the sign-in pages send a signed-in one home. */
function Gate({ signedIn }: { signedIn: boolean }) {
  const { user, checking } = useAuth()
  const { t } = useI18n()
  if (checking) return <Spinner label={t('common.loading')} />
  if (signedIn && !user) return <Navigate to="/signin" replace />
  if (!signedIn && user) return <Navigate to="/" replace />
  return <Outlet />
}

// `key` gives each interview a fresh page (state, streams), as when it was opened from the list.
function ReportRoute() {
  const { id = '' } = useParams()
  return <ReportPage key={id} id={id} />
}

function InterviewRoute() {
  const { id = '' } = useParams()
  return <InterviewRoomPage key={id} id={id} />
}

function NotFound() {
  const { t } = useI18n()
  return (
    <div className="page center-page">
      <h1>{t('error.pageNotFound')}</h1>
      <Link to="/">{t('nav.home')}</Link>
    </div>
  )
}

/** Move focus to the page heading on navigation so screen-reader and keyboard users land on the new screen. */
function useFocusOnRouteChange(): void {
  const { pathname } = useLocation()
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>('main h1')
    if (heading) {
      heading.tabIndex = -1
      heading.focus({ preventScroll: false })
    }
  }, [pathname])
}

function Pages() {
  useFocusOnRouteChange()
  return (
    <Routes>
      <Route element={<Gate signedIn={false} />}>
        <Route path="/signin" element={<AuthPage mode="signin" />} />
        <Route path="/signup" element={<AuthPage mode="signup" />} />
      </Route>
      <Route element={<Gate signedIn />}>
        <Route path="/" element={<HomePage />} />
        <Route path="/interviews/new" element={<NewInterviewPage />} />
        <Route path="/interviews/:id/report" element={<ReportRoute />} />
        <Route path="/interviews/:id" element={<InterviewRoute />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  )
}

export function App() {
  const { t } = useI18n()
  return (
    <>
      <a href="#main" className="skip-link">
        {t('nav.skip')}
      </a>
      <Header />
      <main id="main">
        <Pages />
      </main>
    </>
  )
}
