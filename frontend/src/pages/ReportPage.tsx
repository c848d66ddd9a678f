import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { ApiError, openInterviewEvents } from '../api/client'
import { keys, reportQuery } from '../api/queries'
import { RUBRIC_CRITERIA, type Anchors, type InterviewPlan, type Report, type ReportQuestion } from '../api/types'
import { BarList, ExpressionTimeline, RadarChart } from '../charts/Charts'
import { DemoNotice } from '../components/DemoNotice'
import { Banner, Panel, ScoreBadge, ScoreRing, Spinner } from '../components/ui'
import { useI18n } from '../i18n'
import { competencyName } from '../lib/competency'
import { describeError, evaluationErrorText } from '../lib/errors'
import { Link } from 'react-router'

const POLL_MS = 4000

const isBeingWritten = (report: Report | undefined) =>
  report?.status === 'pending' && report.interview.status !== 'active'

export function ReportPage({ id }: { id: string }) {
  const { t } = useI18n()
  const queryClient = useQueryClient()
  // While the report is being written: poll, in case the event stream is unavailable, and refetch on report.*.
  const load = useQuery({
    ...reportQuery(id),
    refetchInterval: (query) => (isBeingWritten(query.state.data) ? POLL_MS : false),
  })
  const pending = isBeingWritten(load.data)
  useEffect(() => {
    if (!pending) return
    return openInterviewEvents(
      id,
      () => void queryClient.invalidateQueries({ queryKey: keys.report(id) }),
      undefined,
      ['report.ready', 'report.failed', 'evaluation.ready'],
    )
  }, [pending, id, queryClient])
  const refetch = () => void load.refetch()

  if (load.isPending) {
    return (
      <div className="page center-page">
        <h1 className="sr-only">{t('report.title')}</h1>
        <Spinner label={t('common.loading')} />
      </div>
    )
  }
  if (load.isError && !load.data) {
    const notFound = load.error instanceof ApiError && (load.error.status === 404 || load.error.status === 403)
    return (
      <div className="page center-page">
        <Panel className="narrow">
          <h1>{notFound ? t('report.notFoundTitle') : t('report.title')}</h1>
          <Banner tone="error" onRetry={notFound ? undefined : refetch}>
            {notFound ? t('report.notFound') : describeError(t, load.error)}
          </Banner>
          <p>
            <Link to="/">{t('nav.home')}</Link>
          </p>
        </Panel>
      </div>
    )
  }
  return <ReportView report={load.data} onRetry={refetch} />
}

const isSpoken = (q: ReportQuestion) => q.answer?.source === 'speech'

function ReportView({ report, onRetry }: { report: Report; onRetry: () => void }) {
  const { t, formatDate, formatNumber } = useI18n()
  // Collapsed model answers would be missing from the printout: open them all before printing.
  useEffect(() => {
    const openAll = () => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))
    window.addEventListener('beforeprint', openAll)
    return () => window.removeEventListener('beforeprint', openAll)
  }, [])
  const interview = report.interview
  const plan = report.plan ?? null
  const nameOf = (id: string | null | undefined, fallback?: string) => competencyName(t, id, plan, fallback)
  // Pace and fillers belong to spoken answers only: a typed answer has no speaking time (C3).
  const spoken = report.questions.some(isSpoken)
  const fillerItems = Object.entries(report.speaking?.fillers ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([label, value]) => ({ label, value }))
  const emotionLabel = (emotion: string | null) =>
    emotion ? t(`emotion.${emotion}` as 'emotion.neutral') : t('room.noFace')
  const unreliable = report.questions.filter((q) => q.answer && q.evaluation?.status === 'failed')

  return (
    <div className="page report-page">
      <header className="page-header">
        <div>
          <p className="eyebrow">
            {interview.role} · {t(`seniority.${interview.seniority}`)} · {formatDate(interview.created_at)}
          </p>
          <h1>{t('report.title')}</h1>
        </div>
        <div className="header-actions no-print">
          <Link to="/" className="btn btn-ghost">
            {t('nav.home')}
          </Link>
          <button type="button" className="btn" onClick={() => window.print()} disabled={report.status !== 'ready'}>
            {t('report.print')}
          </button>
        </div>
      </header>

      <DemoNotice />
      {interview.status === 'active' && (
        <Banner tone="info">
          {t('report.inProgress')}{' '}
          <Link to={`/interviews/${interview.id}`}>{t('report.continue')}</Link>
        </Banner>
      )}
      {report.status === 'pending' && interview.status !== 'active' && (
        <Banner tone="info">
          <span className="inline-spinner" aria-hidden="true" /> {t('report.pending')}
        </Banner>
      )}
      {report.status === 'failed' && (
        // The server's reason is English and for the logs; the candidate gets a translated sentence.
        <Banner tone="error" onRetry={onRetry} retryLabel={t('common.reload')}>
          {t('report.failed')}
        </Banner>
      )}
      {unreliable.length > 0 && (
        <Banner tone="warning">
          <strong>{t('report.unreliableTitle')}.</strong> {t('report.unreliable', { count: unreliable.length })}
          <ul className="unreliable-list">
            {unreliable.map((q) => (
              <li key={q.id}>
                <a href={`#q-${q.id}`}>
                  {t('report.unreliableItem', {
                    n: q.position,
                    reason: evaluationErrorText(t, q.evaluation?.error_code),
                  })}
                </a>
              </li>
            ))}
          </ul>
        </Banner>
      )}

      <div className="report-top">
        <Panel className="overall-panel" aria-labelledby="overall-heading">
          <h2 id="overall-heading">{t('report.overall')}</h2>
          <ScoreRing score={report.overall_score} label={t('report.outOf5')} />
          <p className="field-hint">{t('scale.label')}</p>
        </Panel>
        <Panel className="radar-panel" aria-labelledby="rubric-heading">
          <h2 id="rubric-heading">{t('report.rubric')}</h2>
          {Object.keys(report.rubric).length > 0 ? (
            <RadarChart
              axes={RUBRIC_CRITERIA.map((c) => t(`rubric.${c}`))}
              values={RUBRIC_CRITERIA.map((c) => report.rubric[c] ?? null)}
              title={t('report.rubric')}
            />
          ) : (
            <p className="muted">{t('report.noScores')}</p>
          )}
        </Panel>
      </div>

      {plan && (plan.competencies.length > 0 || plan.slots.length > 0) && (
        <Panel aria-labelledby="plan-heading" className="plan-panel">
          <h2 id="plan-heading">{t('report.plan')}</h2>
          <div className="two-col">
            {plan.competencies.length > 0 && (
              <div>
                <h3>{t('report.planCompetencies')}</h3>
                <BarList
                  title={t('report.planCompetencies')}
                  items={[...plan.competencies]
                    .sort((a, b) => b.weight - a.weight)
                    .map((c) => ({ label: nameOf(c.id, c.name), value: weightPercent(c.weight, plan) }))}
                  format={(value) => t('report.planWeight', { value: formatNumber(value) })}
                />
              </div>
            )}
            {plan.slots.length > 0 && (
              <div>
                <h3>{t('report.planSlots')}</h3>
                <ol className="plan-slots">
                  {[...plan.slots]
                    .sort((a, b) => a.position - b.position)
                    .map((slot) => (
                      <li key={slot.position}>
                        <span className="q-number">Q{slot.position}</span>
                        <span>{nameOf(slot.competency)}</span>
                        <span className="chip chip-muted">{t(`kind.${slot.kind}`)}</span>
                      </li>
                    ))}
                </ol>
              </div>
            )}
          </div>
        </Panel>
      )}

      {(report.summary || report.strengths.length > 0 || report.practice.length > 0) && (
        <Panel aria-labelledby="summary-heading">
          <h2 id="summary-heading">{t('report.summary')}</h2>
          {report.summary && (
            <p className="summary-text" lang={interview.language}>
              {report.summary}
            </p>
          )}
          <div className="two-col">
            {report.strengths.length > 0 && (
              <div>
                <h3>{t('report.strengths')}</h3>
                <ul className="check-list" lang={interview.language}>
                  {report.strengths.map((s) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              </div>
            )}
            {report.practice.length > 0 && (
              <div>
                <h3>{t('report.practice')}</h3>
                <ul className="arrow-list" lang={interview.language}>
                  {report.practice.map((s) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              </div>
            )}
          </div>
        </Panel>
      )}

      <Panel aria-labelledby="speaking-heading">
        <h2 id="speaking-heading">{t('report.speaking')}</h2>
        {spoken && (report.speaking.avg_wpm !== null || report.speaking.avg_spm !== null) ? (
          <div className="speaking-grid">
            <div>
              <dl className="stat-grid">
                {interview.language === 'ko' ? (
                  <div>
                    <dt>{t('report.spm')}</dt>
                    <dd>{report.speaking.avg_spm === null ? '–' : formatNumber(report.speaking.avg_spm)}</dd>
                  </div>
                ) : (
                  <div>
                    <dt>{t('report.wpm')}</dt>
                    <dd>{report.speaking.avg_wpm === null ? '–' : formatNumber(report.speaking.avg_wpm)}</dd>
                  </div>
                )}
                <div>
                  <dt>{t('report.fillerCount')}</dt>
                  <dd>{formatNumber(report.speaking.filler_count)}</dd>
                </div>
              </dl>
              <p className="field-hint">{t(interview.language === 'ko' ? 'report.paceHintKo' : 'report.paceHintEn')}</p>
            </div>
            {fillerItems.length > 0 && <BarList items={fillerItems} title={t('report.fillers')} />}
          </div>
        ) : (
          <p className="muted">{t('report.noSpeech')}</p>
        )}
      </Panel>
      <Panel aria-labelledby="expression-heading">
        <h2 id="expression-heading">{t('report.expression')}</h2>
        {interview.consent_camera && report.expression_timeline.length > 0 ? (
          <ExpressionTimeline
            points={report.expression_timeline}
            marks={report.question_marks}
            title={t('report.expression')}
            emotionLabel={emotionLabel}
          />
        ) : (
          <p className="muted">{interview.consent_camera ? t('report.noExpression') : t('report.cameraOff')}</p>
        )}
        {/* The API's disclaimer is in the interview's language; the UI says the same in the candidate's. */}
        <p className="field-hint">{t('report.expressionCaveat')}</p>
      </Panel>

      <section aria-labelledby="per-question-heading" className="question-cards">
        <h2 id="per-question-heading">{t('report.perQuestion')}</h2>
        {report.questions.map((item) => (
          <QuestionCard
            key={item.id}
            item={item}
            language={interview.language}
            emotionLabel={emotionLabel}
            nameOf={nameOf}
          />
        ))}
      </section>
    </div>
  )
}

/** A competency's weight as a percentage of the plan (weights may be fractions or arbitrary positive numbers). */
function weightPercent(weight: number, plan: InterviewPlan): number {
  const total = plan.competencies.reduce((sum, c) => sum + Math.max(0, c.weight), 0)
  return total > 0 ? Math.round((Math.max(0, weight) / total) * 100) : 0
}

function CardScore({ evaluation }: { evaluation: ReportQuestion['evaluation'] }) {
  const { t } = useI18n()
  if (evaluation?.status === 'ready' && evaluation.overall_score !== null) {
    return <ScoreBadge score={evaluation.overall_score} className="card-score" />
  }
  if (evaluation?.status === 'failed') return <span className="card-score card-score-failed">{t('eval.failed')}</span>
  if (evaluation?.status === 'pending') return <span className="card-score card-score-muted">{t('eval.pending')}</span>
  return <span className="card-score card-score-muted">–</span>
}

/** The behaviourally anchored scale beside the score: what a 1, 3 and 5 answer look like, the nearest marked. */
function AnchorScale({
  anchors,
  score,
  name,
  language,
}: {
  anchors: Anchors
  score: number | null
  name: string
  language: string
}) {
  const { t } = useI18n()
  // The anchors the score sits on or between (a 4 is between "3" and "5").
  const near = (level: number) => score !== null && Math.abs(level - score) <= 1
  return (
    <div className="anchors">
      <h4>{t('report.anchors', { name })}</h4>
      <dl>
        {([1, 3, 5] as const).map((level) => (
          <div key={level} className={near(level) ? 'anchor current' : 'anchor'}>
            <dt>{t('report.anchorsScore', { score: level })}</dt>
            <dd lang={language}>{anchors[String(level) as '1' | '3' | '5']}</dd>
          </div>
        ))}
      </dl>
    </div>
  )
}

function QuestionCard({
  item,
  language,
  emotionLabel,
  nameOf,
}: {
  item: ReportQuestion
  language: string
  emotionLabel: (emotion: string | null) => string
  nameOf: (id: string | null | undefined, fallback?: string) => string
}) {
  const { t, formatNumber } = useI18n()
  const evaluation = item.evaluation
  const headingId = `q-${item.id}`
  const distribution = Object.entries(item.expression?.distribution ?? {})
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1])
  const keyPoints = item.key_points ?? []
  const score = evaluation?.status === 'ready' ? evaluation.overall_score : null
  const metrics = item.speech_metrics
  return (
    <Panel as="article" className="question-card" aria-labelledby={headingId}>
      <header className="question-card-header">
        <h3 id={headingId}>
          <span className="q-number">Q{item.position}</span> <span lang={language}>{item.question}</span>
        </h3>
        <CardScore evaluation={evaluation} />
      </header>
      {(item.competency || item.source) && (
        <p className="question-tags">
          {item.competency && (
            <span className="chip chip-muted" title={t('report.competency')}>
              {nameOf(item.competency, item.anchors?.name)}
            </span>
          )}
          <span className="chip chip-muted">{t(`kind.${item.kind}`)}</span>
          {item.source && (
            <span className={`chip chip-source-${item.source}`} title={t('report.source')}>
              {t(`source.${item.source}`)}
            </span>
          )}
        </p>
      )}
      {evaluation?.status === 'failed' && item.answer && (
        <p className="unreliable-note" role="note">
          <strong>{t('report.unreliableTitle')}:</strong> {evaluationErrorText(t, evaluation.error_code)}
        </p>
      )}
      <div className="answer-block">
        <h4>{t('report.yourAnswer')}</h4>
        {item.answer ? (
          <p lang={language} className="answer-text">
            {item.answer.text}
          </p>
        ) : (
          <p className="muted">{t('report.noAnswer')}</p>
        )}
      </div>
      {keyPoints.length > 0 && (
        <div className="key-points">
          <h4>{t('report.keyPoints')}</h4>
          <ul lang={language}>
            {keyPoints.map((point) => (
              <li key={point.text} className={point.covered ? 'covered' : 'missed'}>
                <span className="kp-mark" aria-hidden="true">
                  {point.covered ? '✓' : '✗'}
                </span>
                <span className="sr-only">{point.covered ? t('report.covered') : t('report.notCovered')}: </span>
                {point.text}
              </li>
            ))}
          </ul>
          <p className="field-hint">{t('report.keyPointsHint')}</p>
        </div>
      )}
      {item.anchors && (
        <AnchorScale
          anchors={item.anchors}
          score={score}
          name={nameOf(item.anchors.competency, item.anchors.name)}
          language={language}
        />
      )}
      {evaluation && Object.keys(evaluation.rubric).length > 0 && (
        <ul className="rubric-mini" aria-label={t('report.rubric')}>
          {RUBRIC_CRITERIA.map((c) => (
            <li key={c}>
              <span>{t(`rubric.${c}`)}</span>
              <span className="rubric-pips" role="img" aria-label={`${evaluation.rubric[c] ?? 0} / 5`}>
                {[1, 2, 3, 4, 5].map((n) => (
                  <span key={n} className={n <= (evaluation.rubric[c] ?? 0) ? 'pip on' : 'pip'} aria-hidden="true" />
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
      {evaluation && (evaluation.strengths.length > 0 || evaluation.improvements.length > 0) && (
        <div className="two-col">
          {evaluation.strengths.length > 0 && (
            <div>
              <h4>{t('report.strengths')}</h4>
              <ul className="check-list" lang={language}>
                {evaluation.strengths.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </div>
          )}
          {evaluation.improvements.length > 0 && (
            <div>
              <h4>{t('report.improvements')}</h4>
              <ul className="arrow-list" lang={language}>
                {evaluation.improvements.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
      {evaluation?.model_answer && (
        <details className="model-answer">
          <summary>{t('report.modelAnswer')}</summary>
          <p lang={language}>{evaluation.model_answer}</p>
        </details>
      )}
      <div className="card-footer small muted">
        {item.answer &&
          (isSpoken(item) ? (
            (metrics.wpm != null || metrics.spm != null) && (
              <span>
                {language === 'ko' && metrics.spm != null
                  ? t('report.metricsLineKo', {
                      count: metrics.filler_count ?? 0,
                      spm: formatNumber(metrics.spm),
                      fillers: formatNumber(metrics.filler_count ?? 0),
                      seconds: formatNumber(metrics.duration_s ?? 0),
                    })
                  : t('report.metricsLine', {
                      count: metrics.filler_count ?? 0,
                      wpm: formatNumber(metrics.wpm ?? 0),
                      fillers: formatNumber(metrics.filler_count ?? 0),
                      seconds: formatNumber(metrics.duration_s ?? 0),
                    })}
              </span>
            )
          ) : (
            <span>{t('report.typedAnswer')}</span>
          ))}
        {distribution.length > 0 && (
          <span>
            {distribution
              .slice(0, 3)
              .map(([emotion, share]) => `${emotionLabel(emotion)} ${formatNumber(Math.round(share * 100))}%`)
              .join(' · ')}
            {item.expression?.mean_confidence != null &&
              ` (${t('room.confidence', { value: Math.round(item.expression.mean_confidence * 100) })})`}
          </span>
        )}
      </div>
    </Panel>
  )
}
