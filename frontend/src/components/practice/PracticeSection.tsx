import { useProgress } from '../../hooks/useProgress'
import { useI18n } from '../../i18n'
import { describeError } from '../../lib/errors'
import { Banner, Panel, Spinner } from '../ui'
import { CompetencyTrends } from './CompetencyTrends'
import { PracticePanel } from './PracticePanel'

/**
 * The home page's per-competency progress (issue 20): a dated trend per competency across interviews and what is
 * due today, with the button that starts a practice interview on it. Nothing is shown before any answer is scored
 * (the overall progress panel already says to finish an interview first).
 */
export function PracticeSection() {
  const { t } = useI18n()
  const { progress, error, reload } = useProgress()
  if (error) {
    return (
      <Banner tone="error" onRetry={reload}>
        {describeError(t, error)}
      </Banner>
    )
  }
  if (progress === null) {
    return (
      <Panel aria-label={t('practice.title')}>
        <Spinner label={t('common.loading')} />
      </Panel>
    )
  }
  if (progress.competencies.length === 0) return null
  return (
    <Panel className="practice-section" aria-labelledby="practice-title">
      <h2 id="practice-title">{t('practice.title')}</h2>
      <p className="muted small">{t('practice.subtitle')}</p>
      <div className="practice-layout">
        <CompetencyTrends items={progress.competencies} />
        <PracticePanel progress={progress} />
      </div>
    </Panel>
  )
}
