import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TestProviders } from '../test/providers'
import { I18nProvider, useI18n } from '../i18n'
import { AuthProvider } from '../state/auth'
import { requestOf } from '../test/http'
import { AuthPage } from './AuthPage'

function serve(accountLocale: 'en' | 'ko') {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    if ((await requestOf(input, init)).key === 'POST /api/auth/login') {
      return Response.json({ id: 'u1', email: 'a@b.co', display_name: '', locale: accountLocale })
    }
    return Response.json({ detail: 'Not authenticated' }, { status: 401 })
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

function LanguageButton() {
  const { setLocale } = useI18n()
  return (
    <button type="button" onClick={() => setLocale('ko')}>
      한국어
    </button>
  )
}

function renderSignIn() {
  return render(
    <TestProviders>
      <I18nProvider>
        <AuthProvider>
          <LanguageButton />
          <AuthPage mode="signin" />
        </AuthProvider>
      </I18nProvider>
    </TestProviders>,
  )
}

async function signIn(email: string, password: string, labels: { email: string; password: string; action: string }) {
  fireEvent.change(screen.getByLabelText(labels.email), { target: { value: email } })
  fireEvent.change(screen.getByLabelText(labels.password), { target: { value: password } })
  fireEvent.click(screen.getByRole('button', { name: labels.action }))
}

describe('AuthPage language', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('keeps the language picked on the sign-in page after signing in to an English account', async () => {
    const fetchMock = serve('en')
    renderSignIn()
    fireEvent.click(screen.getByRole('button', { name: '한국어' }))
    await signIn('a@b.co', 'secret-password', { email: '이메일', password: '비밀번호', action: '로그인' })
    await waitFor(async () => expect((await requestOf(fetchMock.mock.calls.at(-1)![0])).key).toBe('POST /api/auth/login'))
    await waitFor(() => expect(window.location.pathname).toBe('/'))
    expect(document.documentElement.lang).toBe('ko')
    expect(screen.getByRole('button', { name: '한국어' })).toBeTruthy()
  })

  it('adopts the account’s language where none was picked on this device', async () => {
    serve('ko')
    Object.defineProperty(navigator, 'languages', { configurable: true, value: ['en-US'] })
    renderSignIn()
    expect(document.documentElement.lang).toBe('en')
    await signIn('a@b.co', 'secret-password', { email: 'Email', password: 'Password', action: 'Sign in' })
    await waitFor(() => expect(document.documentElement.lang).toBe('ko'))
  })
})
