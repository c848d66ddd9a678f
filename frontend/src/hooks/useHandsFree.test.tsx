import { act, renderHook } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { InterviewEvent } from '../api/types'
import { applyFinal, EMPTY_TRANSCRIPT, type QuestionTranscript } from '../state/transcript'
import { useHandsFree, type HandsFreeOptions } from './useHandsFree'

const turnEnded = (question_id: string | null = 'q1', end_s = 6): InterviewEvent => ({
  type: 'turn.ended',
  id: '1-0',
  data: { interview_id: 'iv1', question_id, end_s, confidence: 0.9, reason: 'model', countdown_s: 3 },
})
const speechStarted: InterviewEvent = {
  type: 'speech.started',
  id: '2-0',
  data: { interview_id: 'iv1', question_id: 'q1', start_s: 7 },
}
const heard: QuestionTranscript = applyFinal(EMPTY_TRANSCRIPT, { text: 'my answer', start_s: 1, end_s: 5.9 })

function setup(over: Partial<HandsFreeOptions> = {}) {
  const onFinish = vi.fn()
  const props: HandsFreeOptions = { active: true, voice: true, questionId: 'q1', transcript: heard, onFinish, ...over }
  const hook = renderHook((p: HandsFreeOptions) => useHandsFree(p), { initialProps: props })
  return { ...hook, onFinish, props }
}

describe('useHandsFree', () => {
  let cancelSpeech: ReturnType<typeof vi.fn>
  beforeEach(() => {
    vi.useFakeTimers()
    cancelSpeech = vi.fn()
    vi.stubGlobal('speechSynthesis', { cancel: cancelSpeech })
    vi.stubGlobal('SpeechSynthesisUtterance', class {})
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('finishes the answer after the visible countdown', () => {
    const { result, onFinish } = setup()
    act(() => result.current.onEvent(turnEnded()))
    expect(result.current.state.status).toBe('countdown')
    expect(result.current.secondsLeft).toBe(3)
    act(() => vi.advanceTimersByTime(1200))
    expect(result.current.secondsLeft).toBe(2)
    expect(onFinish).not.toHaveBeenCalled()
    act(() => vi.advanceTimersByTime(2000))
    expect(onFinish).toHaveBeenCalledTimes(1)
    expect(result.current.state.status).toBe('listening')
  })

  it('speaking again cancels the countdown and stops the question being read aloud (barge-in)', () => {
    const { result, onFinish } = setup()
    act(() => result.current.onEvent(turnEnded()))
    act(() => vi.advanceTimersByTime(1000))
    act(() => result.current.onEvent(speechStarted))
    expect(cancelSpeech).toHaveBeenCalled()
    expect(result.current.state.status).toBe('listening')
    act(() => vi.advanceTimersByTime(10_000))
    expect(onFinish).not.toHaveBeenCalled()
  })

  it('the button cancels the countdown', () => {
    const { result, onFinish } = setup()
    act(() => result.current.onEvent(turnEnded()))
    act(() => result.current.cancel())
    act(() => vi.advanceTimersByTime(10_000))
    expect(onFinish).not.toHaveBeenCalled()
  })

  it('waits for the transcript to reach the end of the speech before finishing', () => {
    const { result, rerender, onFinish, props } = setup({ transcript: EMPTY_TRANSCRIPT })
    act(() => result.current.onEvent(turnEnded()))
    act(() => vi.advanceTimersByTime(3200))
    expect(result.current.state.status).toBe('waiting')
    expect(onFinish).not.toHaveBeenCalled()
    rerender({ ...props, transcript: heard })
    expect(onFinish).toHaveBeenCalledTimes(1)
  })

  it('does nothing with hands-free off, or for another question; barge-in still works in voice mode', () => {
    const off = setup({ active: false })
    act(() => off.result.current.onEvent(turnEnded()))
    expect(off.result.current.state.status).toBe('listening')
    act(() => off.result.current.onEvent(speechStarted))
    expect(cancelSpeech).toHaveBeenCalledTimes(1)

    const other = setup()
    act(() => other.result.current.onEvent(turnEnded('q0')))
    act(() => vi.advanceTimersByTime(10_000))
    expect(other.onFinish).not.toHaveBeenCalled()
  })

  it('a new question drops a countdown in progress', () => {
    const { result, rerender, onFinish, props } = setup()
    act(() => result.current.onEvent(turnEnded()))
    rerender({ ...props, questionId: 'q2' })
    expect(result.current.state.status).toBe('listening')
    act(() => vi.advanceTimersByTime(10_000))
    expect(onFinish).not.toHaveBeenCalled()
  })
})
