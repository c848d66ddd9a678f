import { useCallback, useEffect, useRef, type Dispatch } from 'react'
import { ApiError, streamNextQuestion } from '../api/client'
import type { InterviewDetail } from '../api/types'
import { useI18n } from '../i18n'
import { describeError } from '../lib/errors'
import { speak, stopSpeaking } from '../lib/speech'
import type { RoomAction, RoomState } from '../state/interviewRoom'

export interface QuestionStreamOptions {
  interview: InterviewDetail | null
  state: Pick<RoomState, 'phase' | 'questions' | 'error'>
  dispatch: Dispatch<RoomAction>
  /** Read each finished question aloud. */
  readAloud: boolean
  /** The server refused with 409 (another tab answered, or every question was asked): reload its state. */
  resync: () => Promise<void>
}

/**
 * The next question, streamed from POST /questions/next into the room's reducer. The first question is asked by
 * itself once the room is idle with no questions; later ones when the candidate calls `askNext`. The stream is
 * aborted and speech stopped when the room unmounts.
 */
export function useQuestionStream({ interview, state, dispatch, readAloud, resync }: QuestionStreamOptions): {
  askNext: () => Promise<void>
} {
  const { t } = useI18n()
  const abort = useRef<AbortController | null>(null)
  const autoAsked = useRef(false)

  useEffect(
    () => () => {
      abort.current?.abort()
      stopSpeaking()
    },
    [],
  )

  const askNext = useCallback(async () => {
    if (!interview) return
    dispatch({ type: 'ask' })
    const controller = new AbortController()
    abort.current = controller
    let settled = false
    try {
      await streamNextQuestion(
        interview.id,
        (event) => {
          if (event.event === 'done' || event.event === 'error') settled = true
          dispatch({ type: 'stream', event, at: new Date().toISOString() })
          if (event.event === 'done' && readAloud) speak(event.data.text, interview.language)
        },
        controller.signal,
      )
      if (!settled) dispatch({ type: 'stream_failed', message: t('room.streamCut'), code: 'network' })
    } catch (err) {
      if (controller.signal.aborted) return
      if (err instanceof ApiError && err.status === 409) {
        await resync()
        return
      }
      dispatch({
        type: 'stream_failed',
        message: describeError(t, err),
        code: err instanceof ApiError && err.status === 0 ? 'network' : undefined,
      })
    }
  }, [interview, dispatch, readAloud, resync, t])

  // The first question comes by itself; later ones when the candidate is ready.
  const { phase, questions, error } = state
  useEffect(() => {
    if (phase === 'idle' && questions.length === 0 && !error && !autoAsked.current) {
      autoAsked.current = true
      void askNext()
    }
  }, [phase, questions.length, error, askNext])

  return { askNext }
}
