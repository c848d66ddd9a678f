import { ApiError } from '../api/client'
import type { MessageKey, Vars } from '../i18n'

type T = (key: MessageKey, vars?: Vars) => string

/** A message the candidate can act on. Known statuses get a translated sentence; otherwise the server's detail. */
export function describeError(t: T, error: unknown, byStatus: Partial<Record<number, MessageKey>> = {}): string {
  if (error instanceof ApiError) {
    const key = byStatus[error.status]
    if (key) return t(key)
    if (error.status === 0) return t('error.network')
    if (error.status === 401) return t('error.signedOut')
    if (error.status === 404) return t('error.notFound')
    if (error.status === 429) return t('error.rateLimited')
    if (error.status >= 500) return t('error.server')
    return error.message
  }
  return t('error.unexpected')
}
