import { useEffect } from 'react'
import type { Locale } from './api/types'
import { Spinner } from './components/ui'
import { LOCALES, useI18n } from './i18n'
import { Link, matchPath, navigate, useFocusOnRouteChange, usePath } from './lib/router'
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
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true" />
        {t('brand.name')}
      </Link>
      <nav aria-label={t('nav.main')} className="app-nav">
        {user && (
          <>
            <Link href="/">{t('nav.home')}</Link>
            <Link href="/interviews/new">{t('nav.new')}</Link>
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

function Routes() {
  const path = usePath()
  const { user, checking } = useAuth()
  const { t } = useI18n()
  useFocusOnRouteChange(path)
  const publicPage = path === '/signin' || path === '/signup'

  useEffect(() => {
    if (checking) return
    if (!user && !publicPage) navigate('/signin', { replace: true })
    else if (user && publicPage) navigate('/', { replace: true })
  }, [checking, user, publicPage])

  if (checking) return <Spinner label={t('common.loading')} />
  if (path === '/signin') return <AuthPage mode="signin" />
  if (path === '/signup') return <AuthPage mode="signup" />
  if (!user) return null
  if (path === '/') return <HomePage />
  if (path === '/interviews/new') return <NewInterviewPage />
  let params = matchPath('/interviews/:id/report', path)
  if (params) return <ReportPage key={params.id} id={params.id} />
  params = matchPath('/interviews/:id', path)
  if (params) return <InterviewRoomPage key={params.id} id={params.id} />
  return (
    <div className="page center-page">
      <h1>{t('error.pageNotFound')}</h1>
      <Link href="/">{t('nav.home')}</Link>
    </div>
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
        <Routes />
      </main>
    </>
  )
}
