import { useState, type FormEvent } from 'react'
import { ApiError } from '../api/client'
import { Banner, Field, Panel } from '../components/ui'
import { chosenLocale, isLocale, useI18n } from '../i18n'
import { describeError } from '../lib/errors'
import { Link, useNavigate } from 'react-router'
import { useAuth } from '../state/auth'

export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  const { t, locale, setLocale } = useI18n()
  const { signIn, signUp } = useAuth()
  const navigate = useNavigate()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const errors: Record<string, string> = {}
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) errors.email = t('auth.emailInvalid')
    if (mode === 'signup' && password.length < 8) errors.password = t('auth.passwordShort')
    if (mode === 'signin' && !password) errors.password = t('auth.passwordRequired')
    setFieldErrors(errors)
    if (Object.keys(errors).length) return
    setBusy(true)
    setError(null)
    try {
      const user =
        mode === 'signup'
          ? await signUp({ email: email.trim(), password, display_name: displayName.trim(), locale })
          : await signIn({ email: email.trim(), password })
      // A language picked on this device (e.g. on the sign-in page) wins over the one stored with the account;
      // the account's applies only where the candidate never picked one.
      if (mode === 'signin' && !chosenLocale() && isLocale(user.locale) && user.locale !== locale) {
        setLocale(user.locale)
      }
      navigate('/', { replace: true })
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setFieldErrors(err.fieldErrors())
      setError(
        describeError(t, err, mode === 'signup' ? { 409: 'auth.emailTaken' } : { 401: 'auth.invalidCredentials' }),
      )
    } finally {
      setBusy(false)
    }
  }

  const signup = mode === 'signup'
  return (
    <div className="auth-layout">
      <div className="auth-intro">
        <p className="eyebrow">{t('brand.name')}</p>
        <h1>{signup ? t('auth.signupTitle') : t('auth.signinTitle')}</h1>
        <p className="lead">{t('auth.tagline')}</p>
      </div>
      <Panel className="auth-card" aria-label={signup ? t('auth.signupTitle') : t('auth.signinTitle')}>
        <form onSubmit={submit} noValidate>
          {error && <Banner tone="error">{error}</Banner>}
          <Field label={t('auth.email')} error={fieldErrors.email}>
            {(props) => (
              <input
                {...props}
                type="email"
                name="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          {signup && (
            <Field label={t('auth.displayName')} hint={t('auth.displayNameHint')} error={fieldErrors.display_name}>
              {(props) => (
                <input
                  {...props}
                  type="text"
                  name="display_name"
                  autoComplete="name"
                  maxLength={100}
                  value={displayName}
                  onChange={(e) => setDisplayName(e.target.value)}
                />
              )}
            </Field>
          )}
          <Field
            label={t('auth.password')}
            hint={signup ? t('auth.passwordHint') : undefined}
            error={fieldErrors.password}
          >
            {(props) => (
              <input
                {...props}
                type="password"
                name="password"
                autoComplete={signup ? 'new-password' : 'current-password'}
                required
                minLength={signup ? 8 : undefined}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('common.working') : signup ? t('auth.signupAction') : t('auth.signinAction')}
          </button>
        </form>
        <p className="auth-switch">
          {signup ? t('auth.haveAccount') : t('auth.noAccount')}{' '}
          <Link to={signup ? '/signin' : '/signup'}>{signup ? t('auth.signinAction') : t('auth.signupAction')}</Link>
        </p>
      </Panel>
    </div>
  )
}
