import { QueryClient, queryOptions } from '@tanstack/react-query'
import { api, ApiError } from './client'

// Server state lives in TanStack Query: one cache per app, keyed by these keys. The interview room is the exception:
// its state machine (state/interviewRoom.ts) merges the live event stream with the snapshot it loads.

/** A 4xx will not change by asking again; a network blip or a 5xx may. */
function retry(failures: number, error: unknown): boolean {
  return failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500)
}

export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry }, mutations: { retry: false } } })
}

export const keys = {
  me: ['me'] as const,
  interviews: ['interviews'] as const,
  report: (id: string) => ['interviews', id, 'report'] as const,
  models: ['models'] as const,
  /** Every time zone's progress: what a deleted interview invalidates. */
  allProgress: ['progress'] as const,
  progress: (tz: string) => ['progress', tz] as const,
  scoringTiming: ['evaluations', 'timing'] as const,
}

/** The signed-in user, or null: a 401 simply means "not signed in". */
export const meQuery = queryOptions({
  queryKey: keys.me,
  queryFn: async () => {
    try {
      return await api.me()
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null
      throw error
    }
  },
  staleTime: Infinity, // changed only by signing in or out, which write it (state/auth.tsx)
  retry: false,
})

export const interviewsQuery = queryOptions({ queryKey: keys.interviews, queryFn: api.listInterviews })

export const reportQuery = (id: string) => queryOptions({ queryKey: keys.report(id), queryFn: () => api.getReport(id) })

/** The models do not change while the app is open: asked once (again after a failure: an older API, a blip). */
export const modelsQuery = queryOptions({ queryKey: keys.models, queryFn: api.models, staleTime: Infinity, retry: false })

/** Per-competency trends and what is due today, in the browser's time zone (issue 20). */
export const progressQuery = (tz: string) => queryOptions({ queryKey: keys.progress(tz), queryFn: () => api.progress(tz) })

/** How long scoring usually takes: asked again each time an answer starts being scored (it follows the load). */
export const scoringTimingQuery = queryOptions({ queryKey: keys.scoringTiming, queryFn: api.scoringTiming, staleTime: 0, retry: false })
