import { useCallback, useEffect, useReducer, useState } from 'react'
import { api } from '../api/client'
import type { ServiceName } from '../api/types'
import { HandsFreeCountdown, HandsFreeToggle } from '../components/HandsFree'
import { MicMeter } from '../components/MediaPreview'
import { RoomSide } from '../components/RoomSide'
import { ScoringEstimate } from '../components/ScoringEstimate'
import { Banner, Panel, Spinner } from '../components/ui'
import { useHandsFree, useHandsFreePreference } from '../hooks/useHandsFree'
import { useInterviewEvents } from '../hooks/useInterviewEvents'
import { useMediaConnection } from '../hooks/useMediaConnection'
import { useQuestionStream } from '../hooks/useQuestionStream'
import { useSlowEvaluations } from '../hooks/useSlowEvaluations'
import { useI18n, type MessageKey } from '../i18n'
import { en } from '../i18n/en'
import { competencyName } from '../lib/competency'
import { describeError } from '../lib/errors'
import { Link, useNavigate } from 'react-router'
import { speak, speechSupported, stopSpeaking } from '../lib/speech'
import { formatClock, useElapsed } from '../lib/useElapsed'
import { useMicLevel } from '../media/devices'
import {
  answeredCount,
  answerText,
  capQuestion,
  currentQuestion,
  initialRoomState,
  reduceRoom,
  type RoomError,
  type ServiceProblem,
} from '../state/interviewRoom'
import { EMPTY_TRANSCRIPT } from '../state/transcript'

const READ_ALOUD_KEY = 'rehearsal.readAloud'

function useReadAloudPreference(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => {
    try {
      return window.localStorage.getItem(READ_ALOUD_KEY) !== 'off'
    } catch {
      return true
    }
  })
  const set = useCallback((next: boolean) => {
    setOn(next)
    try {
      window.localStorage.setItem(READ_ALOUD_KEY, next ? 'on' : 'off')
    } catch {
      // preference not persisted
    }
  }, [])
  return [on, set]
}

export function InterviewRoomPage({ id }: { id: string }) {
  const { t } = useI18n()
  const navigate = useNavigate()
  const [state, dispatch] = useReducer(reduceRoom, initialRoomState)
  const [typed, setTyped] = useState('')
  const [localError, setLocalError] = useState<string | null>(null)
  const [readAloud, setReadAloud] = useReadAloudPreference()
  const [handsFreeOn, setHandsFreeOn] = useHandsFreePreference()
  const interview = state.interview
  const language = interview?.language ?? 'en'

  const load = useCallback(async () => {
    try {
      const detail = await api.getInterview(id)
      dispatch({ type: 'loaded', interview: detail, at: new Date().toISOString() })
      if (detail.status !== 'active') navigate(`/interviews/${id}/report`, { replace: true })
    } catch (err) {
      dispatch({ type: 'load_failed', message: describeError(t, err) })
    }
  }, [id, t, navigate])

  useEffect(() => {
    void load()
  }, [load])

  const { eventsDown } = useInterviewEvents(interview?.id ?? null, (event) => {
    dispatch({ type: 'event', event })
    handsFree.onEvent(event)
  })

  // Camera and microphone to the media server, only for what the candidate consented to.
  const wantVideo = interview?.consent_camera ?? false
  const wantAudio = interview?.consent_voice ?? false
  const onMediaUnavailable = useCallback(() => dispatch({ type: 'set_mode', mode: 'typed' }), [])
  const { media, stream, retry: retryMedia } = useMediaConnection({
    interviewId: interview?.id ?? null,
    active: interview?.status === 'active',
    video: wantVideo,
    audio: wantAudio,
    onUnavailable: onMediaUnavailable,
  })
  const level = useMicLevel(state.mode === 'speech' ? stream : null)

  const { askNext } = useQuestionStream({ interview, state, dispatch, readAloud, resync: load })
  useSlowEvaluations(state.questions, dispatch)

  const question = currentQuestion(state)
  const transcript = (question && state.transcripts[question.id]) || EMPTY_TRANSCRIPT
  const elapsed = useElapsed(state.phase === 'answering' || state.phase === 'submitting' ? state.answerStartedAt : null)

  const finishAnswer = async () => {
    if (!question || state.phase !== 'answering') return
    const text = answerText(state, typed)
    if (!text) {
      setLocalError(state.mode === 'speech' ? t('room.nothingHeard') : t('room.typeSomething'))
      return
    }
    setLocalError(null)
    stopSpeaking()
    dispatch({ type: 'submit' })
    try {
      const accepted = await api.submitAnswer(question.id, {
        text: text.slice(0, 20000),
        source: state.mode,
        started_at: state.answerStartedAt ?? new Date().toISOString(),
        ended_at: new Date().toISOString(),
      })
      dispatch({ type: 'submitted', accepted })
      setTyped('')
    } catch (err) {
      dispatch({ type: 'submit_failed', message: describeError(t, err) })
    }
  }

  const handsFree = useHandsFree({
    active: handsFreeOn && state.mode === 'speech' && state.phase === 'answering',
    voice: state.mode === 'speech',
    questionId: state.phase === 'answering' ? (question?.id ?? null) : null,
    transcript,
    onFinish: () => void finishAnswer(),
  })

  const finishInterview = async () => {
    const answered = answeredCount(state)
    if (state.phase === 'idle' && !window.confirm(t('room.finishEarlyConfirm', { count: answered }))) return
    dispatch({ type: 'finish' })
    try {
      await api.finishInterview(id)
      dispatch({ type: 'finished' })
      navigate(`/interviews/${id}/report`)
    } catch (err) {
      dispatch({ type: 'finish_failed', message: describeError(t, err) })
    }
  }

  const switchToTyped = () => {
    // Carry over what was already recognised so switching modes loses nothing.
    if (state.mode === 'speech') setTyped(answerText(state, ''))
    dispatch({ type: 'set_mode', mode: 'typed' })
  }

  if (state.phase === 'loading') {
    return (
      <div className="page center-page">
        <h1 className="sr-only">{t('room.title')}</h1>
        <Spinner label={t('common.loading')} />
      </div>
    )
  }
  if (state.phase === 'load_failed' || !interview) {
    return (
      <div className="page center-page">
        <h1>{t('room.title')}</h1>
        <Banner tone="error" onRetry={() => void load()}>
          {state.error?.message ?? t('error.unexpected')}
        </Banner>
        <Link to="/">{t('nav.home')}</Link>
      </div>
    )
  }

  const questionErrorText = (error: RoomError) => {
    // A code from the server's stream gets its translated sentence, an unknown one (newer server) a generic one:
    // never the server's English message. Errors without a code were translated by describeError already.
    if (error.scope !== 'question' || !error.code || error.code === 'network') return error.message
    const key = `room.questionError.${error.code ?? ''}`
    return key in en ? t(key as MessageKey) : t('room.questionError.internal')
  }
  const total = interview.num_questions
  const answered = answeredCount(state)
  const serviceEntries = Object.entries(state.services) as [ServiceName, ServiceProblem][]
  const streamingText = state.phase === 'thinking' || state.phase === 'streaming' ? state.draft.text : null
  const fullQuestion = streamingText ?? question?.text ?? null
  const shownQuestion = fullQuestion === null ? null : capQuestion(fullQuestion)
  const slowScoring = state.questions.some((q) => q.evaluation.status === 'pending' && q.evaluation.slow)
  const scoring = state.questions.some((q) => q.evaluation.status === 'pending')
  const voiceAvailable = wantAudio && media.state !== 'unavailable'

  return (
    <div className="page room-page">
      <header className="page-header room-header">
        <div>
          <p className="eyebrow">
            {interview.role} · {t(`seniority.${interview.seniority}`)}
          </p>
          <h1>{t('room.title')}</h1>
        </div>
        <div className="room-progress" aria-label={t('room.progress', { answered, count: total })}>
          <span className="progress-count">
            {answered}/{total}
          </span>
          <div className="progress-bar" aria-hidden="true">
            <div className="progress-fill" style={{ width: `${(answered / Math.max(1, total)) * 100}%` }} />
          </div>
        </div>
      </header>

      <div className="banners">
        {state.error && (
          <Banner
            tone="error"
            onRetry={
              state.error.scope === 'question'
                ? () => void askNext()
                : state.error.scope === 'answer'
                  ? () => void finishAnswer()
                  : state.error.scope === 'finish'
                    ? () => void finishInterview()
                    : undefined
            }
            onDismiss={() => dispatch({ type: 'dismiss_error' })}
          >
            {questionErrorText(state.error)}
          </Banner>
        )}
        {media.problem && (
          <Banner
            tone="warning"
            onRetry={media.state === 'unavailable' ? undefined : () => retryMedia()}
          >
            {media.problem} {voiceAvailable ? '' : t('room.typedFallbackHint')}
          </Banner>
        )}
        {serviceEntries.map(([service, problem]) => (
          <Banner
            key={service}
            tone={problem.state === 'down' ? 'error' : 'warning'}
            onRetry={service === 'media' || service === 'stt' ? () => retryMedia() : undefined}
          >
            {/* The server's detail is English and technical: logged, not shown in the candidate's language. */}
            <strong>{t(`service.${service}`)}</strong> {t(`serviceState.${problem.state}`)}
          </Banner>
        ))}
        {eventsDown && <Banner tone="info">{t('room.eventsReconnecting')}</Banner>}
        {slowScoring && <Banner tone="info">{t('eval.slowReason')}</Banner>}
      </div>

      <div className="room-grid">
        <Panel className="question-panel" aria-labelledby="question-heading">
          <div className="question-meta">
            <h2 id="question-heading">
              {question || state.draft.position
                ? t('room.questionN', { n: question?.position ?? state.draft.position ?? answered + 1, total })
                : t('room.question')}
            </h2>
            {speechSupported() && (
              <div className="read-aloud">
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => fullQuestion && speak(fullQuestion, language)}
                  disabled={!question}
                >
                  {t('room.readAloud')}
                </button>
                <label className="inline-check">
                  <input type="checkbox" checked={readAloud} onChange={(e) => setReadAloud(e.target.checked)} />
                  {t('room.autoRead')}
                </label>
              </div>
            )}
          </div>
          {question && state.phase === 'answering' && (question.competency || question.source) && (
            <p className="question-tags">
              {question.competency && <span className="chip chip-muted">{competencyName(t, question.competency, interview.plan)}</span>}
              {question.source && question.source !== 'generated' && (
                <span className={`chip chip-source-${question.source}`}>{t(`source.${question.source}`)}</span>
              )}
            </p>
          )}
          <div className="question-text" aria-live="polite" aria-busy={state.phase === 'streaming'} lang={language}>
            {state.phase === 'thinking' && (
              <p className="thinking" role="status">
                <span className="thinking-dots" aria-hidden="true">
                  <span />
                  <span />
                  <span />
                </span>
                {t('room.thinking')}
              </p>
            )}
            {shownQuestion && (
              <p className={state.phase === 'streaming' ? 'streaming' : undefined}>
                {shownQuestion}
                {state.phase === 'streaming' && <span className="caret" aria-hidden="true" />}
              </p>
            )}
            {state.phase === 'idle' && !shownQuestion && answered > 0 && <p className="muted">{t('room.readyForNext')}</p>}
            {state.phase === 'complete' && <p className="muted">{t('room.allDone')}</p>}
          </div>

          {(state.phase === 'answering' || state.phase === 'submitting') && (
            <div className="answer-area">
              <div className="answer-toolbar">
                <span className="timer" role="timer" aria-label={t('room.timer')}>
                  {/* An inline icon, not the ⏱ emoji: many systems (and Debian's Chromium) have no emoji font. */}
                  <svg className="timer-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <circle cx="8" cy="9" r="6" fill="none" stroke="currentColor" strokeWidth="1.6" />
                    <path d="M8 9V5.5M6 1.5h4" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
                  </svg>{' '}
                  {formatClock(elapsed)}
                </span>
                {state.mode === 'speech' && <MicMeter level={level} label={t('setup.micLevel')} />}
                {state.mode === 'speech' && <HandsFreeToggle on={handsFreeOn} onChange={setHandsFreeOn} />}
                {state.mode === 'speech' ? (
                  <button type="button" className="btn btn-ghost btn-small" onClick={switchToTyped}>
                    {t('room.typeInstead')}
                  </button>
                ) : (
                  voiceAvailable && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      onClick={() => dispatch({ type: 'set_mode', mode: 'speech' })}
                    >
                      {t('room.speakInstead')}
                    </button>
                  )
                )}
              </div>
              {state.mode === 'speech' ? (
                <section className="transcript" aria-labelledby="transcript-heading">
                  <h3 id="transcript-heading" className="label-text">
                    {t('room.transcript')}
                  </h3>
                  <div className="transcript-body" aria-live="polite" aria-relevant="additions text" lang={language}>
                    {transcript.finals.length === 0 && !transcript.partial && (
                      <p className="muted">{t('room.listening')}</p>
                    )}
                    {transcript.finals.map((segment) => (
                      <span key={segment.key} className="transcript-final">
                        {segment.text}{' '}
                      </span>
                    ))}
                    {transcript.partial && <span className="transcript-partial">{transcript.partial.text}</span>}
                  </div>
                </section>
              ) : (
                <div className="field">
                  <label htmlFor="typed-answer">{t('room.typedLabel')}</label>
                  <textarea
                    id="typed-answer"
                    rows={7}
                    maxLength={20000}
                    value={typed}
                    lang={language}
                    onChange={(e) => setTyped(e.target.value)}
                  />
                </div>
              )}
              <HandsFreeCountdown state={handsFree.state} secondsLeft={handsFree.secondsLeft} onCancel={handsFree.cancel} />
              {localError && (
                <Banner tone="warning" onDismiss={() => setLocalError(null)}>
                  {localError}
                </Banner>
              )}
              <div className="answer-actions">
                <button
                  type="button"
                  className="btn btn-primary"
                  onClick={() => void finishAnswer()}
                  disabled={state.phase === 'submitting'}
                >
                  {state.phase === 'submitting' ? t('common.working') : t('room.finishAnswer')}
                </button>
              </div>
            </div>
          )}

          <ScoringEstimate scoring={scoring && !slowScoring} />
          <div className="room-actions">
            {state.phase === 'idle' && (
              <button type="button" className="btn btn-primary" onClick={() => void askNext()}>
                {t('room.nextQuestion')}
              </button>
            )}
            {(state.phase === 'complete' || (state.phase === 'idle' && answered > 0) || state.phase === 'finishing') && (
              <button
                type="button"
                className={state.phase === 'complete' ? 'btn btn-primary' : 'btn'}
                onClick={() => void finishInterview()}
                disabled={state.phase === 'finishing'}
              >
                {state.phase === 'finishing' ? t('common.working') : t('room.finishInterview')}
              </button>
            )}
          </div>
        </Panel>

        <RoomSide
          state={state}
          stream={stream}
          wantVideo={wantVideo}
          mediaState={media.state}
          language={language}
        />
      </div>
    </div>
  )
}
