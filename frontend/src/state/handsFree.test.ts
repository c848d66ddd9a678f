import { describe, expect, it } from 'vitest'
import type { InterviewEventMap } from '../api/types'
import {
  LISTENING,
  reduceHandsFree,
  secondsLeft,
  TRANSCRIPT_WAIT_MS,
  transcriptReaches,
  type HandsFreeState,
} from './handsFree'
import { applyFinal, EMPTY_TRANSCRIPT } from './transcript'

function turn(over: Partial<InterviewEventMap['turn.ended']> = {}): InterviewEventMap['turn.ended'] {
  return {
    interview_id: 'iv1',
    question_id: 'q1',
    end_s: 6.2,
    confidence: 0.93,
    reason: 'model',
    countdown_s: 3,
    ...over,
  }
}

const ended = (now: number, over: Partial<InterviewEventMap['turn.ended']> = {}, current: string | null = 'q1') =>
  reduceHandsFree(LISTENING, { type: 'turn_ended', event: turn(over), currentQuestionId: current, now })

describe('hands-free countdown', () => {
  it('counts down from the server countdown, then waits for the transcript', () => {
    const counting = ended(1000)
    expect(counting).toEqual({ status: 'countdown', questionId: 'q1', endS: 6.2, deadline: 4000, totalMs: 3000 })
    expect(secondsLeft(counting, 1000)).toBe(3)
    expect(secondsLeft(counting, 2100)).toBe(2)
    expect(secondsLeft(counting, 3999)).toBe(1)
    expect(reduceHandsFree(counting, { type: 'tick', now: 3999 })).toBe(counting)
    const waiting = reduceHandsFree(counting, { type: 'tick', now: 4000 })
    expect(waiting).toEqual({ status: 'waiting', questionId: 'q1', endS: 6.2, since: 4000 })
    expect(secondsLeft(waiting, 4000)).toBeNull()
  })

  it('is cancelled by speaking again or by the button, in the countdown and while waiting', () => {
    const counting = ended(0)
    expect(reduceHandsFree(counting, { type: 'speech_started' })).toBe(LISTENING)
    expect(reduceHandsFree(counting, { type: 'cancel' })).toBe(LISTENING)
    const waiting = reduceHandsFree(counting, { type: 'tick', now: 5000 })
    expect(reduceHandsFree(waiting, { type: 'speech_started' })).toBe(LISTENING)
    // Speaking while listening changes nothing.
    expect(reduceHandsFree(LISTENING, { type: 'speech_started' })).toBe(LISTENING)
  })

  it('ignores turns of another question, of no question, or when no question is open', () => {
    expect(ended(0, { question_id: 'q0' })).toBe(LISTENING)
    expect(ended(0, { question_id: null })).toBe(LISTENING)
    expect(ended(0, {}, null)).toBe(LISTENING)
  })

  it('keeps the first countdown when a second turn ends during it', () => {
    const counting = ended(0)
    const again = reduceHandsFree(counting, { type: 'turn_ended', event: turn({ end_s: 9 }), currentQuestionId: 'q1', now: 500 })
    expect(again).toBe(counting)
  })

  it('gives up waiting for a transcript that never comes', () => {
    const waiting: HandsFreeState = { status: 'waiting', questionId: 'q1', endS: 6.2, since: 0 }
    expect(reduceHandsFree(waiting, { type: 'tick', now: TRANSCRIPT_WAIT_MS })).toBe(waiting)
    expect(reduceHandsFree(waiting, { type: 'tick', now: TRANSCRIPT_WAIT_MS + 1 })).toBe(LISTENING)
  })

  it('a zero countdown goes straight to waiting on the next tick', () => {
    const counting = ended(100, { countdown_s: 0 })
    expect(reduceHandsFree(counting, { type: 'tick', now: 100 }).status).toBe('waiting')
  })
})

describe('transcriptReaches', () => {
  it('needs a final that ends where the speech ended (within the tolerance)', () => {
    const first = applyFinal(EMPTY_TRANSCRIPT, { text: 'I designed a payment service', start_s: 0.4, end_s: 2.4 })
    expect(transcriptReaches(first, 6.2)).toBe(false)
    const both = applyFinal(first, { text: 'in Python', start_s: 4.2, end_s: 5.8 })
    expect(transcriptReaches(both, 6.2)).toBe(true)
    expect(transcriptReaches(EMPTY_TRANSCRIPT, 0)).toBe(false)
  })
})
