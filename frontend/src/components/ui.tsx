import { useId, type ReactNode } from 'react'
import { SCORE_MAX } from '../api/types'
import { useI18n } from '../i18n'
import { evaluationErrorText } from '../lib/errors'
import { scoreDigits, scoreRatio, scoreTone } from '../lib/score'
import type { EvaluationView } from '../state/interviewRoom'

export function Panel({ children, className = '', as: Tag = 'section', ...rest }: {
  children: ReactNode
  className?: string
  as?: 'section' | 'div' | 'article' | 'aside'
  'aria-labelledby'?: string
  'aria-label'?: string
}) {
  return (
    <Tag className={`glass ${className}`} {...rest}>
      {children}
    </Tag>
  )
}

export function Banner({
  tone,
  children,
  onRetry,
  retryLabel,
  onDismiss,
}: {
  tone: 'error' | 'warning' | 'info'
  children: ReactNode
  onRetry?: () => void
  retryLabel?: string
  onDismiss?: () => void
}) {
  const { t } = useI18n()
  return (
    <div className={`banner banner-${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      <span className="banner-icon" aria-hidden="true">
        {tone === 'info' ? 'i' : '!'}
      </span>
      <div className="banner-body">{children}</div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {retryLabel ?? t('common.retry')}
        </button>
      )}
      {onDismiss && (
        <button type="button" className="btn btn-ghost btn-small" onClick={onDismiss} aria-label={t('common.dismiss')}>
          ×
        </button>
      )}
    </div>
  )
}

export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string
  hint?: string
  error?: string
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode
}) {
  const id = useId()
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  )
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </span>
  )
}

/** A 1–5 score as a ring, read as "3.4 / 5" (C1: the one scale). */
export function ScoreRing({ score, label }: { score: number | null; label: string }) {
  const { formatNumber } = useI18n()
  const ratio = scoreRatio(score)
  const circumference = 2 * Math.PI * 52
  const value = score === null ? '–' : formatNumber(score, 1)
  return (
    <figure
      className={`score-ring${score === null ? '' : ` tone-${scoreTone(score)}`}`}
      aria-label={`${label}: ${value} / ${SCORE_MAX}`}
    >
      <svg viewBox="0 0 120 120" role="img" aria-hidden="true">
        <defs>
          <linearGradient id="ring-gradient" x1="0" y1="0" x2="1" y2="1">
            <stop offset="0%" stopColor="var(--accent)" />
            <stop offset="100%" stopColor="var(--accent-2)" />
          </linearGradient>
        </defs>
        <circle cx="60" cy="60" r="52" className="ring-track" />
        {ratio > 0 && (
          <circle
            cx="60"
            cy="60"
            r="52"
            className="ring-value"
            strokeDasharray={`${circumference * ratio} ${circumference}`}
            transform="rotate(-90 60 60)"
          />
        )}
      </svg>
      <figcaption>
        <span className="score-value">
          {value}
          <span className="score-max"> / {SCORE_MAX}</span>
        </span>
        <span className="score-label">{label}</span>
      </figcaption>
    </figure>
  )
}

/** A score as text on the one scale, coloured by how good it is ("4 / 5"). */
export function ScoreBadge({ score, className = '' }: { score: number; className?: string }) {
  const { t, formatNumber } = useI18n()
  return (
    <span className={`score-badge tone-${scoreTone(score)} ${className}`}>
      {t('scale.value', { score: formatNumber(score, scoreDigits(score)) })}
    </span>
  )
}

export function EvaluationChip({ evaluation }: { evaluation: EvaluationView }) {
  const { t, formatNumber } = useI18n()
  switch (evaluation.status) {
    case 'none':
      return <span className="chip chip-muted">{t('eval.notAnswered')}</span>
    case 'pending':
      return (
        <span className="chip chip-pending" title={evaluation.slow ? t('eval.slowReason') : undefined}>
          <span className="pulse-dot" aria-hidden="true" />
          {evaluation.slow ? t('eval.slow') : evaluation.retrying ? t('eval.retrying') : t('eval.pending')}
        </span>
      )
    case 'ready':
      return evaluation.score === null ? (
        <span className="chip chip-muted">–</span>
      ) : (
        <span className={`chip chip-score tone-${scoreTone(evaluation.score)}`}>
          {t('eval.score', { score: formatNumber(evaluation.score, scoreDigits(evaluation.score)) })}
        </span>
      )
    case 'failed':
      return (
        <span className="chip chip-failed" title={evaluationErrorText(t, evaluation.code)}>
          {t('eval.failed')}
        </span>
      )
  }
}

export function Toggle({
  checked,
  onChange,
  label,
  description,
}: {
  checked: boolean
  onChange: (checked: boolean) => void
  label: string
  description?: string
}) {
  const id = useId()
  return (
    <div className="toggle-row">
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-describedby={description ? `${id}-d` : undefined}
        className="switch"
        onClick={() => onChange(!checked)}
      >
        <span className="switch-thumb" aria-hidden="true" />
      </button>
      <div>
        <label htmlFor={id} className="toggle-label">
          {label}
        </label>
        {description && (
          <p className="field-hint" id={`${id}-d`}>
            {description}
          </p>
        )}
      </div>
    </div>
  )
}
