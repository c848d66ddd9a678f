import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../api/client'
import { interviewsQuery, keys } from '../api/queries'
import type { InterviewSummary } from '../api/types'
import { ProgressChart } from '../charts/Charts'
import { PracticeSection } from '../components/practice/PracticeSection'
import { Banner, Panel, ScoreBadge, Spinner } from '../components/ui'
import { useI18n } from '../i18n'
import { describeError } from '../lib/errors'
import { Link } from 'react-router'
import { useAuth } from '../state/auth'

export type InterviewOutcome = InterviewSummary['status'] | 'unscored' | 'empty' | 'partial'

/**
 * What the dashboard says about an interview: a finished one without answers, without a score (every evaluation
 * failed) or ended before all questions were asked is flagged as such, never a plain "Finished" with "–".
 */
export function interviewOutcome(item: InterviewSummary): InterviewOutcome {
  if (item.status !== 'finished') return item.status
  if (item.answered === 0) return 'empty'
  if (item.overall_score === null) return 'unscored'
  if (item.answered < item.num_questions) return 'partial'
  return 'finished'
}

export function HomePage() {
  const { t, formatDate, formatNumber } = useI18n()
  const { user } = useAuth()
  const queryClient = useQueryClient()
  const list = useQuery(interviewsQuery)
  const items = list.data ?? null
  const removal = useMutation({
    mutationFn: api.deleteInterview,
    onSuccess: (_, id) => {
      queryClient.setQueryData<InterviewSummary[]>(keys.interviews, (current) => current?.filter((i) => i.id !== id))
      void queryClient.invalidateQueries({ queryKey: keys.allProgress }) // its scores leave the competency trends
    },
  })
  const failure = removal.error ?? (items === null ? list.error : null)
  const error = failure ? describeError(t, failure) : null
  const retry = () => {
    removal.reset()
    void list.refetch()
  }

  const remove = (item: InterviewSummary) => {
    if (!window.confirm(t('home.deleteConfirm', { role: item.role }))) return
    removal.mutate(item.id)
  }

  const scored = (items ?? [])
    .filter((i) => i.overall_score !== null)
    .map((i) => ({ date: i.created_at, score: i.overall_score ?? 0 }))

  return (
    <div className="page home-page">
      <header className="page-header">
        <div>
          <p className="eyebrow">{t('home.eyebrow')}</p>
          <h1>{user?.display_name ? t('home.greetingNamed', { name: user.display_name }) : t('home.greeting')}</h1>
        </div>
        <Link to="/interviews/new" className="btn btn-primary">
          {t('home.newInterview')}
        </Link>
      </header>
      {error && (
        <Banner tone="error" onRetry={retry}>
          {error}
        </Banner>
      )}
      <Panel className="progress-panel" aria-labelledby="progress-title">
        <h2 id="progress-title">{t('home.progress')}</h2>
        {scored.length > 0 ? (
          <ProgressChart points={scored} title={t('home.progress')} />
        ) : (
          <p className="muted">{t('home.progressEmpty')}</p>
        )}
      </Panel>
      <PracticeSection />
      <Panel aria-labelledby="history-title">
        <h2 id="history-title">{t('home.history')}</h2>
        {items === null && !error && <Spinner label={t('common.loading')} />}
        {items?.length === 0 && <p className="muted">{t('home.empty')}</p>}
        {items && items.length > 0 && (
          <ul className="interview-list">
            {items.map((item) => {
              const href = item.status === 'active' ? `/interviews/${item.id}` : `/interviews/${item.id}/report`
              const outcome = interviewOutcome(item)
              return (
                <li key={item.id} className="interview-item">
                  <div className="interview-main">
                    <Link to={href} className="interview-link">
                      {item.role}
                    </Link>
                    <span className="muted small">
                      {formatDate(item.created_at)} · {item.language.toUpperCase()} ·{' '}
                      {t('home.answered', { answered: item.answered, total: item.num_questions })}
                    </span>
                  </div>
                  <span className={`chip chip-status-${outcome}`}>{t(`status.${outcome}`)}</span>
                  <span className="interview-score">
                    {item.overall_score === null ? (
                      <span className="muted small">{t('home.noScore')}</span>
                    ) : (
                      <span
                        role="img"
                        aria-label={t('home.scoreValue', { score: formatNumber(item.overall_score, 1) })}
                      >
                        <ScoreBadge score={item.overall_score} />
                      </span>
                    )}
                  </span>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    onClick={() => remove(item)}
                    aria-label={t('home.deleteLabel', { role: item.role })}
                  >
                    {t('common.delete')}
                  </button>
                </li>
              )
            })}
          </ul>
        )}
      </Panel>
    </div>
  )
}
