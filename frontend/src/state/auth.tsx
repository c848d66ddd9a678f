import { useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from 'react'
import { api } from '../api/client'
import { keys, meQuery } from '../api/queries'
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
  const queryClient = useQueryClient()
  const me = useQuery(meQuery)
  useEffect(() => {
    if (me.isError) console.warn('session check failed') // treated as signed out
  }, [me.isError])

  // A new user starts from an empty cache: nothing of the previous account stays in memory.
  const become = useCallback(
    <U extends User | null>(user: U): U => {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.me[0] })
      queryClient.setQueryData(keys.me, user)
      return user
    },
    [queryClient],
  )
  const signIn = useCallback(async (body: SignInRequest) => become(await api.login(body)), [become])
  const signUp = useCallback(async (body: SignUpRequest) => become(await api.signup(body)), [become])
  const signOut = useCallback(async () => {
    try {
      await api.logout()
    } finally {
      become(null)
    }
  }, [become])
  const deleteAccount = useCallback(async () => {
    await api.deleteAccount()
    become(null)
  }, [become])

  const user = me.data ?? null
  const checking = me.isPending
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
