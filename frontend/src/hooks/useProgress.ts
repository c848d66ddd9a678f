import { useCallback, useEffect, useState } from 'react'
import { api } from '../api/client'
import type { Progress } from '../api/types'

/** The browser's IANA time zone, so "due today" means the candidate's today (the API defaults to UTC). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

export interface ProgressState {
  progress: Progress | null
  error: unknown
  reload: () => void
}

/** Per-competency trends and what is due today (`GET /api/progress`), in the browser's time zone. */
export function useProgress(): ProgressState {
  const [progress, setProgress] = useState<Progress | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)
  useEffect(() => {
    let live = true
    setError(null)
    api
      .progress(browserTimeZone())
      .then((next) => live && setProgress(next))
      .catch((err: unknown) => live && setError(err))
    return () => {
      live = false
    }
  }, [attempt])
  const reload = useCallback(() => setAttempt((n) => n + 1), [])
  return { progress, error, reload }
}
