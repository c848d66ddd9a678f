import { useCallback, useEffect, useState } from 'react'
import { api, ApiError, openInterviewEvents } from '../api/client'
import { RUBRIC_CRITERIA, type Report, type ReportQuestion } from '../api/types'
import { BarList, ExpressionTimeline, RadarChart } from '../charts/Charts'
import { Banner, Panel, ScoreRing, Spinner } from '../components/ui'
import { useI18n } from '../i18n'
import { describeError } from '../lib/errors'
import { Link } from '../lib/router'

const POLL_MS = 4000

type Load = { kind: 'loading' } | { kind: 'error'; message: string; notFound: boolean } | { kind: 'ok'; report: Report }

export function ReportPage({ id }: { id: string }) {
  const { t } = useI18n()
  const [load, setLoad] = useState<Load>({ kind: 'loading' })

  const fetchReport = useCallback(async () => {
    try {
      const report = await api.getReport(id)
      setLoad({ kind: 'ok', report })
    } catch (err) {
      const notFound = err instanceof ApiError && (err.status === 404 || err.status === 403)
      setLoad({ kind: 'error', message: notFound ? t('report.notFound') : describeError(t, err), notFound })
    }
  }, [id, t])

  useEffect(() => {
    void fetchReport()
  }, [fetchReport])

  // While the report is being written: listen for report.* and also poll, in case the event stream is unavailable.
  const pending = load.kind === 'ok' && load.report.status === 'pending' && load.report.interview.status !== 'active'
  useEffect(() => {
    if (!pending) return
    const close = openInterviewEvents(
      id,
      (event) => {
        if (event.type === 'report.ready' || event.type === 'report.failed' || event.type === 'evaluation.ready') {
          void fetchReport()
        }
      },
      undefined,
      ['report.ready', 'report.failed', 'evaluation.ready'],
    )
    const timer = window.setInterval(() => void fetchReport(), POLL_MS)
    return () => {
      close()
      window.clearInterval(timer)
    }
  }, [pending, id, fetchReport])

  if (load.kind === 'loading') {
    return (
      <div className="page center-page">
        <h1 className="sr-only">{t('report.title')}</h1>
        <Spinner label={t('common.loading')} />
      </div>
    )
  }
  if (load.kind === 'error') {
    return (
      <div className="page center-page">
        <Panel className="narrow">
          <h1>{load.notFound ? t('report.notFoundTitle') : t('report.title')}</h1>
          <Banner tone="error" onRetry={load.notFound ? undefined : () => void fetchReport()}>
            {load.message}
          </Banner>
          <p>
            <Link href="/">{t('nav.home')}</Link>
          </p>
        </Panel>
      </div>
    )
  }
  return <ReportView report={load.report} onRetry={() => void fetchReport()} />
}

function ReportView({ report, onRetry }: { report: Report; onRetry: () => void }) {
  const { t, formatDate, formatNumber } = useI18n()
  // Collapsed model answers would be missing from the printout: open them all before printing.
  useEffect(() => {
    const openAll = () => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))
    window.addEventListener('beforeprint', openAll)
    return () => window.removeEventListener('beforeprint', openAll)
  }, [])
  const interview = report.interview
  const questionLabels = Object.fromEntries(report.questions.map((q) => [q.id, `Q${q.position}`]))
  const fillerItems = Object.entries(report.speaking?.fillers ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([label, value]) => ({ label, value }))
  const emotionLabel = (emotion: string | null) =>
    emotion ? t(`emotion.${emotion}` as 'emotion.neutral') : t('room.noFace')

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
          <Link href="/" className="btn btn-ghost">
            {t('nav.home')}
          </Link>
          <button type="button" className="btn" onClick={() => window.print()} disabled={report.status !== 'ready'}>
            {t('report.print')}
          </button>
        </div>
      </header>

      {interview.status === 'active' && (
        <Banner tone="info">
          {t('report.inProgress')}{' '}
          <Link href={`/interviews/${interview.id}`}>{t('report.continue')}</Link>
        </Banner>
      )}
      {report.status === 'pending' && interview.status !== 'active' && (
        <Banner tone="info">
          <span className="inline-spinner" aria-hidden="true" /> {t('report.pending')}
        </Banner>
      )}
      {report.status === 'failed' && (
        <Banner tone="error" onRetry={onRetry} retryLabel={t('common.reload')}>
          {t('report.failed')}
          {report.error ? ` (${report.error})` : ''}
        </Banner>
      )}

      <div className="report-top">
        <Panel className="overall-panel" aria-labelledby="overall-heading">
          <h2 id="overall-heading">{t('report.overall')}</h2>
          <ScoreRing score={report.overall_score} label={t('report.outOf100')} />
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

      <div className="two-col">
        <Panel aria-labelledby="speaking-heading">
          <h2 id="speaking-heading">{t('report.speaking')}</h2>
          {report.speaking.avg_wpm !== null || report.speaking.avg_spm !== null ? (
            <>
              <dl className="stat-grid">
                <div>
                  <dt>{t('report.wpm')}</dt>
                  <dd>{report.speaking.avg_wpm === null ? '–' : formatNumber(report.speaking.avg_wpm)}</dd>
                </div>
                <div>
                  <dt>{t('report.spm')}</dt>
                  <dd>{report.speaking.avg_spm === null ? '–' : formatNumber(report.speaking.avg_spm)}</dd>
                </div>
                <div>
                  <dt>{t('report.fillerCount')}</dt>
                  <dd>{formatNumber(report.speaking.filler_count)}</dd>
                </div>
              </dl>
              <p className="field-hint">{t(interview.language === 'ko' ? 'report.paceHintKo' : 'report.paceHintEn')}</p>
              {fillerItems.length > 0 && <BarList items={fillerItems} title={t('report.fillers')} />}
            </>
          ) : (
            <p className="muted">{t('report.noSpeech')}</p>
          )}
        </Panel>
        <Panel aria-labelledby="expression-heading">
          <h2 id="expression-heading">{t('report.expression')}</h2>
          {interview.consent_camera && report.expression_timeline.length > 0 ? (
            <ExpressionTimeline
              points={report.expression_timeline}
              questionLabels={questionLabels}
              title={t('report.expression')}
              emotionLabel={emotionLabel}
            />
          ) : (
            <p className="muted">{interview.consent_camera ? t('report.noExpression') : t('report.cameraOff')}</p>
          )}
          <p className="field-hint">{report.disclaimer || t('report.expressionCaveat')}</p>
        </Panel>
      </div>

      <section aria-labelledby="per-question-heading" className="question-cards">
        <h2 id="per-question-heading">{t('report.perQuestion')}</h2>
        {report.questions.map((item) => (
          <QuestionCard key={item.id} item={item} language={interview.language} emotionLabel={emotionLabel} />
        ))}
      </section>
    </div>
  )
}

function QuestionCard({
  item,
  language,
  emotionLabel,
}: {
  item: ReportQuestion
  language: string
  emotionLabel: (emotion: string | null) => string
}) {
  const { t, formatNumber } = useI18n()
  const evaluation = item.evaluation
  const headingId = `q-${item.id}`
  const distribution = Object.entries(item.expression?.distribution ?? {})
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1])
  return (
    <Panel as="article" className="question-card" aria-labelledby={headingId}>
      <header className="question-card-header">
        <h3 id={headingId}>
          <span className="q-number">Q{item.position}</span> <span lang={language}>{item.question}</span>
        </h3>
        <span className="card-score">
          {evaluation?.status === 'ready' && evaluation.overall_score !== null
            ? formatNumber(evaluation.overall_score)
            : evaluation?.status === 'failed'
              ? t('eval.failed')
              : evaluation?.status === 'pending'
                ? t('eval.pending')
                : '–'}
        </span>
      </header>
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
        {item.speech_metrics.wpm !== undefined && (
          <span>
            {t('report.metricsLine', {
              wpm: formatNumber(item.speech_metrics.wpm),
              fillers: formatNumber(item.speech_metrics.filler_count ?? 0),
              seconds: formatNumber(item.speech_metrics.duration_s ?? 0),
            })}
          </span>
        )}
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
