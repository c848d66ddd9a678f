import type { InterviewEventMap } from '../api/types'
import type { QuestionTranscript } from './transcript'

// Hands-free answers as a pure state machine (the clock is an argument), so the countdown and every way of
// cancelling it are unit-testable without timers:
//
//   listening ─turn.ended (this question)─▶ countdown ─time up─▶ waiting ─transcript has the last words─▶ finish
//       ▲                                      │                    │
//       └──── speech.started / click / new question ────────────────┘   (waiting gives up after TRANSCRIPT_WAIT_MS)
//
// "waiting": the media server decides the turn is over from the sound, a little before speech-to-text has
// written the last words; the answer is submitted only once the transcript reaches where the speech ended.

export type HandsFreeState =
  | { status: 'listening' }
  | { status: 'countdown'; questionId: string; endS: number; deadline: number; totalMs: number }
  | { status: 'waiting'; questionId: string; endS: number; since: number }

export type HandsFreeAction =
  | { type: 'turn_ended'; event: InterviewEventMap['turn.ended']; currentQuestionId: string | null; now: number }
  | { type: 'speech_started' }
  | { type: 'cancel' }
  | { type: 'tick'; now: number }

export const LISTENING: HandsFreeState = { status: 'listening' }

/** How long to wait, after the countdown, for speech-to-text to catch up before giving up on finishing by itself. */
export const TRANSCRIPT_WAIT_MS = 20_000
/** VAD and the STT's segmenter place the end of speech slightly differently. */
export const END_TOLERANCE_S = 0.6

export function reduceHandsFree(state: HandsFreeState, action: HandsFreeAction): HandsFreeState {
  switch (action.type) {
    case 'turn_ended': {
      const { event, currentQuestionId, now } = action
      // A turn that did not happen wholly under the question being answered never finishes it.
      if (!currentQuestionId || event.question_id !== currentQuestionId) return state
      if (state.status !== 'listening') return state
      const totalMs = Math.max(0, event.countdown_s) * 1000
      return { status: 'countdown', questionId: currentQuestionId, endS: event.end_s, deadline: now + totalMs, totalMs }
    }
    case 'speech_started':
    case 'cancel':
      return state.status === 'listening' ? state : LISTENING
    case 'tick':
      if (state.status === 'countdown' && action.now >= state.deadline) {
        return { status: 'waiting', questionId: state.questionId, endS: state.endS, since: action.now }
      }
      if (state.status === 'waiting' && action.now - state.since > TRANSCRIPT_WAIT_MS) return LISTENING
      return state
  }
}

/** The transcript has the words up to where the turn's speech ended. */
export function transcriptReaches(transcript: QuestionTranscript, endS: number): boolean {
  return transcript.finals.some((segment) => segment.end_s >= endS - END_TOLERANCE_S)
}

/** Whole seconds left on the countdown, for display (never 0 while still counting). */
export function secondsLeft(state: HandsFreeState, now: number): number | null {
  if (state.status !== 'countdown') return null
  return Math.max(1, Math.ceil((state.deadline - now) / 1000))
}
