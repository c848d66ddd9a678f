import { useEffect, useRef } from 'react'
import { emotionColor } from '../charts/Charts'
import { useI18n } from '../i18n'
import type { MediaUiState } from '../hooks/useMediaConnection'
import { capQuestion, type RoomState } from '../state/interviewRoom'
import { EvaluationChip, Panel } from './ui'

/** The room's side column: the candidate's own camera with the live connection/expression status, and the list of
 * questions so far with each one's evaluation. */
export function RoomSide({
  state,
  stream,
  wantVideo,
  mediaState,
  language,
}: {
  state: RoomState
  stream: MediaStream | null
  wantVideo: boolean
  mediaState: MediaUiState
  language: string
}) {
  const { t, formatNumber } = useI18n()
  const videoRef = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    if (videoRef.current) videoRef.current.srcObject = stream
  }, [stream, wantVideo])
  return (
    <aside className="room-side">
      <Panel className="camera-panel" as="div" aria-label={t('room.selfView')}>
        {wantVideo && stream ? (
          <video ref={videoRef} className="self-view" autoPlay muted playsInline aria-label={t('room.selfView')} />
        ) : (
          <div className="self-view placeholder">{wantVideo ? t('setup.cameraOff') : t('room.cameraNotUsed')}</div>
        )}
        <div className="camera-status">
          <span className={`status-dot status-${mediaState}`} aria-hidden="true" />
          <span className="small">{t(`mediaState.${mediaState}`)}</span>
          {wantVideo && state.expression && (
            <span className="expression-indicator" title={t('room.expressionHint')}>
              <span
                className="expression-dot"
                style={{ background: emotionColor(state.expression.dominant) }}
                aria-hidden="true"
              />
              <span className="small">
                {state.expression.faceFound
                  ? t(`emotion.${state.expression.dominant ?? 'neutral'}` as 'emotion.neutral') +
                    (state.expression.confidence != null
                      ? ` · ${t('room.confidence', { value: Math.round(state.expression.confidence * 100) })}`
                      : '')
                  : t('room.noFace')}
              </span>
            </span>
          )}
        </div>
      </Panel>
      <Panel as="div" aria-labelledby="questions-heading">
        <h2 id="questions-heading" className="h3">
          {t('room.questions')}
        </h2>
        {state.questions.length === 0 ? (
          <p className="muted small">{t('room.noQuestionsYet')}</p>
        ) : (
          <ol className="question-list" aria-live="polite">
            {state.questions.map((q) => (
              <li key={q.id} className={q.id === state.currentQuestionId ? 'current' : undefined}>
                <span className="q-number">Q{formatNumber(q.position)}</span>
                <span className="q-text" lang={language}>
                  {capQuestion(q.text)}
                </span>
                <EvaluationChip evaluation={q.evaluation} />
              </li>
            ))}
          </ol>
        )}
      </Panel>
    </aside>
  )
}
