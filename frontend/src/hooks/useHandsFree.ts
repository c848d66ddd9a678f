import { useCallback, useEffect, useReducer, useRef, useState } from 'react'
import type { InterviewEvent } from '../api/types'
import { stopSpeaking } from '../lib/speech'
import {
  LISTENING,
  reduceHandsFree,
  secondsLeft,
  transcriptReaches,
  type HandsFreeState,
} from '../state/handsFree'
import type { QuestionTranscript } from '../state/transcript'

const PREFERENCE_KEY = 'rehearsal.handsFree'
const TICK_MS = 200

/** The candidate's choice, kept across interviews: on unless they turned it off. */
export function useHandsFreePreference(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => {
    try {
      return window.localStorage.getItem(PREFERENCE_KEY) !== 'off'
    } catch {
      return true
    }
  })
  const set = useCallback((next: boolean) => {
    setOn(next)
    try {
      window.localStorage.setItem(PREFERENCE_KEY, next ? 'on' : 'off')
    } catch {
      // preference not persisted
    }
  }, [])
  return [on, set]
}

export interface HandsFreeOptions {
  /** Hands-free is on and the candidate is answering this question by voice. */
  active: boolean
  /** Answering by voice at all (barge-in works even with hands-free off). */
  voice: boolean
  questionId: string | null
  transcript: QuestionTranscript
  /** Finish the answer, exactly as the "Finish answer" button does. */
  onFinish: () => void
}

/**
 * Hands-free answers: when the media server reports the end of the candidate's turn, count down visibly, then
 * finish the answer once the transcript has the last words. Speaking again (`speech.started`) or `cancel` stops
 * the countdown; speaking while the question is read aloud stops the reading (barge-in).
 */
export function useHandsFree({ active, voice, questionId, transcript, onFinish }: HandsFreeOptions): {
  state: HandsFreeState
  secondsLeft: number | null
  onEvent: (event: InterviewEvent) => void
  cancel: () => void
} {
  const [state, dispatch] = useReducer(reduceHandsFree, LISTENING)
  const [now, setNow] = useState(() => Date.now())
  const finish = useRef(onFinish)
  useEffect(() => {
    finish.current = onFinish
  }, [onFinish])
  const live = useRef({ active, voice, questionId })
  useEffect(() => {
    live.current = { active, voice, questionId }
  }, [active, voice, questionId])

  // Leaving voice answering, hands-free or the question drops a countdown in progress.
  useEffect(() => {
    dispatch({ type: 'cancel' })
  }, [active, questionId])

  const counting = state.status !== 'listening'
  useEffect(() => {
    if (!counting) return
    const timer = window.setInterval(() => {
      const at = Date.now()
      setNow(at)
      dispatch({ type: 'tick', now: at })
    }, TICK_MS)
    return () => window.clearInterval(timer)
  }, [counting])

  useEffect(() => {
    if (state.status === 'waiting' && state.questionId === questionId && transcriptReaches(transcript, state.endS)) {
      dispatch({ type: 'cancel' })
      finish.current()
    }
  }, [state, questionId, transcript])

  const onEvent = useCallback((event: InterviewEvent) => {
    const { active: on, voice: speaking, questionId: current } = live.current
    if (event.type === 'speech.started') {
      if (speaking) stopSpeaking()
      dispatch({ type: 'speech_started' })
    } else if (event.type === 'turn.ended' && on) {
      const at = Date.now()
      setNow(at)
      dispatch({ type: 'turn_ended', event: event.data, currentQuestionId: current, now: at })
    }
  }, [])

  const cancel = useCallback(() => dispatch({ type: 'cancel' }), [])
  return { state, secondsLeft: secondsLeft(state, now), onEvent, cancel }
}
