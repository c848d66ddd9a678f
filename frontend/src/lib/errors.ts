import { ApiError } from '../api/client'
import { EVALUATION_ERROR_CODES, type EvaluationErrorCode } from '../api/types'
import type { MessageKey, Vars } from '../i18n'

type T = (key: MessageKey, vars?: Vars) => string

/** A message the candidate can act on, always translated (the server's English detail is not shown). */
export function describeError(t: T, error: unknown, byStatus: Partial<Record<number, MessageKey>> = {}): string {
  if (error instanceof ApiError) {
    const key = byStatus[error.status]
    if (key) return t(key)
    if (error.status === 0) return t('error.network')
    if (error.status === 401) return t('error.signedOut')
    if (error.status === 404) return t('error.notFound')
    if (error.status === 429) return t('error.rateLimited')
    if (error.status >= 500) return t('error.server')
    if (error.status === 403) return t('error.forbidden')
    if (error.status === 409) return t('error.conflict')
    if (error.status === 413) return t('error.tooLarge')
    if (error.status === 400 || error.status === 422) return t('error.invalid')
    // An unexpected 4xx: a translated sentence, never the server's English detail (that goes to the console).
    console.warn('API error', error.status, error.message)
    return t('error.unexpected')
  }
  return t('error.unexpected')
}

/**
 * Why an answer could not be scored, in the candidate's language (C3 `error_code`). Never the server's English
 * sentence: an unknown or missing code (an older server) gets the generic message.
 */
export function evaluationErrorText(t: T, code: string | null | undefined): string {
  return code && (EVALUATION_ERROR_CODES as readonly string[]).includes(code)
    ? t(`evalError.${code as EvaluationErrorCode}`)
    : t('evalError.unknown')
}
