import { useQuery } from '@tanstack/react-query'
import { progressQuery } from '../api/queries'
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
  const query = useQuery(progressQuery(browserTimeZone()))
  return { progress: query.data ?? null, error: query.error, reload: () => void query.refetch() }
}
