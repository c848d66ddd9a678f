import { act, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { InterviewEvent } from '../api/types'
import { I18nProvider } from '../i18n'
import { releaseStream } from '../media/devices'
import type { QuestionView, RoomAction } from '../state/interviewRoom'
import { FakeEventSource } from '../test/fakeEventSource'
import { makeInterview } from '../test/fixtures'
import { EVENTS_GRACE_MS, useInterviewEvents } from './useInterviewEvents'
import { useMediaConnection } from './useMediaConnection'
import { useQuestionStream } from './useQuestionStream'
import { SLOW_EVALUATION_MS, useSlowEvaluations } from './useSlowEvaluations'

const wrapper = ({ children }: { children: ReactNode }) => <I18nProvider locale="en">{children}</I18nProvider>

function sse(...events: [string, unknown][]): Response {
  const body = events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('')
  return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } })
}

describe('useInterviewEvents', () => {
  beforeEach(() => {
    FakeEventSource.instances = []
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('forwards events to the latest handler, reports only a lasting outage, and closes on unmount', () => {
    vi.useFakeTimers()
    const first = vi.fn()
    const second = vi.fn()
    const { result, rerender, unmount } = renderHook(({ onEvent }) => useInterviewEvents('iv1', onEvent), {
      initialProps: { onEvent: first as (event: InterviewEvent) => void },
    })
    const source = FakeEventSource.instances.at(-1)!
    expect(source.url).toBe('/api/interviews/iv1/events')
    rerender({ onEvent: second })
    expect(FakeEventSource.instances).toHaveLength(1) // a new handler does not reopen the stream
    act(() => source.emit('report.ready', { interview_id: 'iv1', overall_score: 3.4 }, '1-0'))
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledWith({
      type: 'report.ready',
      id: '1-0',
      data: { type: 'report.ready', interview_id: 'iv1', overall_score: 3.4 },
    })

    act(() => source.onerror?.())
    act(() => void vi.advanceTimersByTime(EVENTS_GRACE_MS - 1))
    expect(result.current.eventsDown).toBe(false) // a reconnect within the grace period is not news
    act(() => void vi.advanceTimersByTime(1))
    expect(result.current.eventsDown).toBe(true)
    act(() => source.onopen?.())
    expect(result.current.eventsDown).toBe(false)

    unmount()
    expect(source.closed).toBe(true)
  })

  it('opens nothing until the interview is known', () => {
    renderHook(() => useInterviewEvents(null, () => {}))
    expect(FakeEventSource.instances).toHaveLength(0)
  })
})

describe('useQuestionStream', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('asks the first question by itself and feeds the streamed events to the reducer', async () => {
    const fetchMock = vi.fn(async () =>
      sse(
        ['started', { position: 1 }],
        ['token', { text: 'Why?' }],
        ['done', { question_id: 'q1', position: 1, kind: 'opening', text: 'Why?' }],
      ),
    )
    vi.stubGlobal('fetch', fetchMock)
    const actions: RoomAction[] = []
    const dispatch = (action: RoomAction) => void actions.push(action)
    const interview = makeInterview()
    const resync = vi.fn(async () => {})
    const props = { interview, state: { phase: 'idle' as const, questions: [], error: null }, dispatch, readAloud: false, resync }
    const { rerender } = renderHook((p) => useQuestionStream(p), { initialProps: props, wrapper })
    await waitFor(() => expect(actions.map((a) => a.type)).toEqual(['ask', 'stream', 'stream', 'stream']))
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(actions.at(-1)).toMatchObject({ type: 'stream', event: { event: 'done', data: { question_id: 'q1' } } })
    rerender({ ...props }) // still idle with no questions in the props: asked once only
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('resyncs on 409 and reports a stream cut before "done" as interrupted', async () => {
    let call = 0
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => (++call === 1 ? Response.json({ detail: 'unanswered' }, { status: 409 }) : sse(['token', { text: 'Half' }]))),
    )
    const actions: RoomAction[] = []
    const resync = vi.fn(async () => {})
    const { result } = renderHook(
      () =>
        useQuestionStream({
          interview: makeInterview(),
          state: { phase: 'answering', questions: [], error: null },
          dispatch: (a) => void actions.push(a),
          readAloud: false,
          resync,
        }),
      { wrapper },
    )
    await act(() => result.current.askNext())
    expect(resync).toHaveBeenCalledTimes(1)
    await act(() => result.current.askNext())
    expect(actions.at(-1)).toEqual({ type: 'stream_failed', message: 'The question stream was interrupted.', code: 'network' })
  })
})

describe('useMediaConnection', () => {
  afterEach(() => {
    releaseStream()
    vi.unstubAllGlobals()
  })

  function stubDevices(getUserMedia: () => Promise<unknown>) {
    Object.defineProperty(navigator, 'mediaDevices', {
      configurable: true,
      value: { getUserMedia: vi.fn(getUserMedia), enumerateDevices: vi.fn(async () => []) },
    })
  }

  it('falls back to typing when the devices cannot be opened', async () => {
    stubDevices(async () => {
      throw new DOMException('denied', 'NotAllowedError')
    })
    const onUnavailable = vi.fn()
    const { result } = renderHook(
      () => useMediaConnection({ interviewId: 'iv1', active: true, video: false, audio: true, onUnavailable }),
      { wrapper },
    )
    await waitFor(() => expect(result.current.media.state).toBe('unavailable'))
    expect(result.current.media.problem).toMatch(/blocked/)
    expect(onUnavailable).toHaveBeenCalledTimes(1)
  })

  it('keeps the stream, reports a failed connection with a translated reason, and retries on request', async () => {
    const track = { kind: 'audio', readyState: 'live', stop: vi.fn(), getSettings: () => ({ deviceId: 'mic' }) }
    const stream = { getTracks: () => [track], getAudioTracks: () => [track], getVideoTracks: () => [] }
    stubDevices(async () => stream)
    const tokenCalls = vi.fn(async () => Response.json({ detail: 'media server down' }, { status: 503 }))
    vi.stubGlobal('fetch', tokenCalls)
    const { result } = renderHook(
      () => useMediaConnection({ interviewId: 'iv1', active: true, video: false, audio: true, onUnavailable: () => {} }),
      { wrapper },
    )
    await waitFor(() => expect(result.current.media.state).toBe('failed'))
    expect(result.current.stream).toBe(stream)
    expect(result.current.media.problem).toBe(
      'The media connection failed. Something went wrong on our side. Please try again.',
    )
    act(() => result.current.retry())
    await waitFor(() => expect(tokenCalls).toHaveBeenCalledTimes(2))
  })

  it('does nothing without consent or for a finished interview', () => {
    stubDevices(async () => ({}))
    renderHook(() => useMediaConnection({ interviewId: 'iv1', active: true, video: false, audio: false, onUnavailable: () => {} }), {
      wrapper,
    })
    renderHook(() => useMediaConnection({ interviewId: 'iv1', active: false, video: true, audio: true, onUnavailable: () => {} }), {
      wrapper,
    })
    expect(navigator.mediaDevices.getUserMedia).not.toHaveBeenCalled()
  })
})

describe('useSlowEvaluations', () => {
  afterEach(() => vi.useRealTimers())

  const pending = (id: string, slow = false): QuestionView => ({
    id,
    position: 1,
    kind: 'opening',
    text: 'Q',
    answered: true,
    evaluation: { status: 'pending', retrying: false, slow },
  })

  it('marks an evaluation slow once it has been pending for SLOW_EVALUATION_MS, counted from when it started', () => {
    vi.useFakeTimers()
    const dispatch = vi.fn()
    const { rerender } = renderHook(({ questions }) => useSlowEvaluations(questions, dispatch), {
      initialProps: { questions: [pending('q1')] },
    })
    act(() => void vi.advanceTimersByTime(SLOW_EVALUATION_MS / 2))
    rerender({ questions: [pending('q1'), pending('q2')] }) // a second one starts: q1 keeps its start time
    act(() => void vi.advanceTimersByTime(SLOW_EVALUATION_MS / 2))
    expect(dispatch.mock.calls).toEqual([[{ type: 'evaluation_slow', questionId: 'q1' }]])
    rerender({ questions: [pending('q1', true), { ...pending('q2'), evaluation: { status: 'ready', score: 4 } }] })
    act(() => void vi.advanceTimersByTime(SLOW_EVALUATION_MS))
    expect(dispatch).toHaveBeenCalledTimes(1) // q2 was scored in time; q1 is already marked
  })
})
