import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import { api } from '../../api/client'
import { keys } from '../../api/queries'
import type { Progress } from '../../api/types'
import { browserTimeZone } from '../../hooks/useProgress'
import { useI18n } from '../../i18n'
import { competencyName } from '../../lib/competency'
import { describeError } from '../../lib/errors'
import { Banner } from '../ui'
import { formatDay, formatList } from './format'

export const PRACTICE_QUESTIONS = 5

/**
 * What is due today (SM-2) and the "Practise my weak areas" button: it starts a practice interview whose plan
 * targets the due competencies, weakest first (or the weakest ones when nothing is due), and opens its room.
 */
export function PracticePanel({ progress }: { progress: Progress }) {
  const { t, locale, formatNumber } = useI18n()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const practice = useMutation({
    mutationFn: () => api.startPractice({ num_questions: PRACTICE_QUESTIONS, tz: browserTimeZone() }),
    onSuccess: (interview) => {
      void queryClient.invalidateQueries({ queryKey: keys.interviews }) // the history now lists it
      navigate(`/interviews/${interview.id}`)
    },
  })
  const busy = practice.isPending || practice.isSuccess // stays disabled until the room has opened
  const error = practice.error ? describeError(t, practice.error, { 409: 'practice.noHistory' }) : null
  const byId = new Map(progress.competencies.map((c) => [c.competency, c]))
  const name = (id: string) => competencyName(t, id, null, byId.get(id)?.name)

  return (
    <section className="practice-due" aria-labelledby="practice-due-title">
      <h3 id="practice-due-title">{t('practice.dueTitle')}</h3>
      {progress.due.length > 0 ? (
        <ul className="practice-due-list">
          {progress.due.map((id) => (
            <li key={id} className="chip trend-due-now">
              {t('practice.dueItem', { name: name(id), score: formatNumber(byId.get(id)?.latest ?? 0, 1) })}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">
          {progress.next_due_on
            ? t('practice.nothingDue', { date: formatDay(locale, progress.next_due_on) })
            : t('practice.nothingDueEver')}
        </p>
      )}
      {progress.focus.length > 0 && (
        <p>{t('practice.focus', { names: formatList(locale, progress.focus.map(name)), count: PRACTICE_QUESTIONS })}</p>
      )}
      <p className="muted small">{t('practice.explain')}</p>
      {error && <Banner tone="error">{error}</Banner>}
      <button
        type="button"
        className="btn btn-primary"
        onClick={() => practice.mutate()}
        disabled={busy || progress.focus.length === 0}
      >
        {busy ? t('practice.starting') : t('practice.start')}
      </button>
    </section>
  )
}
