import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { api, ApiError } from '../api/client'
import type { SignInRequest, SignUpRequest, User } from '../api/types'

export interface Auth {
  user: User | null
  /** true until the first /me answer: avoids flashing the sign-in screen at a signed-in user. */
  checking: boolean
  signIn: (body: SignInRequest) => Promise<User>
  signUp: (body: SignUpRequest) => Promise<User>
  signOut: () => Promise<void>
  deleteAccount: () => Promise<void>
}

const AuthContext = createContext<Auth | null>(null)

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null)
  const [checking, setChecking] = useState(true)

  useEffect(() => {
    let cancelled = false
    api
      .me()
      .then((me) => !cancelled && setUser(me))
      .catch((error: unknown) => {
        // 401 simply means "not signed in"; anything else is also treated as signed out, but stays visible in dev.
        if (!(error instanceof ApiError && error.status === 401)) console.warn('session check failed')
      })
      .finally(() => !cancelled && setChecking(false))
    return () => {
      cancelled = true
    }
  }, [])

  const signIn = useCallback(async (body: SignInRequest) => {
    const me = await api.login(body)
    setUser(me)
    return me
  }, [])
  const signUp = useCallback(async (body: SignUpRequest) => {
    const me = await api.signup(body)
    setUser(me)
    return me
  }, [])
  const signOut = useCallback(async () => {
    try {
      await api.logout()
    } finally {
      setUser(null)
    }
  }, [])
  const deleteAccount = useCallback(async () => {
    await api.deleteAccount()
    setUser(null)
  }, [])

  const value = useMemo(
    () => ({ user, checking, signIn, signUp, signOut, deleteAccount }),
    [user, checking, signIn, signUp, signOut, deleteAccount],
  )
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}

export function useAuth(): Auth {
  const value = useContext(AuthContext)
  if (!value) throw new Error('useAuth outside <AuthProvider>')
  return value
}
