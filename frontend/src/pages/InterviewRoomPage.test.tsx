import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TestProviders } from '../test/providers'
import { I18nProvider } from '../i18n'
import { releaseStream } from '../media/devices'
import { FakeEventSource } from '../test/fakeEventSource'
import { makeInterview, makeQuestion } from '../test/fixtures'
import { requestOf } from '../test/http'
import { InterviewRoomPage } from './InterviewRoomPage'

type Route = (init: RequestInit | undefined) => Response | Promise<Response>

function mockApi(routes: Record<string, Route>) {
  const calls: { key: string; body: unknown }[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const { key, body } = await requestOf(input, init)
    calls.push({ key, body })
    const route = routes[key]
    if (!route) return Response.json({ detail: `no route ${key}` }, { status: 404 })
    return route(init)
  })
  vi.stubGlobal('fetch', fetchMock)
  return calls
}

function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  const encoder = new TextEncoder()
  return {
    body,
    send: (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
    close: () => controller.close(),
  }
}

const fakeTrack = { kind: 'audio', readyState: 'live', stop: vi.fn(), getSettings: () => ({ deviceId: 'mic' }) }
const fakeStream = {
  getTracks: () => [fakeTrack],
  getAudioTracks: () => [fakeTrack],
  getVideoTracks: () => [],
}

describe('InterviewRoomPage', () => {
  beforeEach(() => {
    FakeEventSource.instances = []
    vi.stubGlobal('EventSource', FakeEventSource)
    Object.defineProperty(navigator, 'mediaDevices', {
      configurable: true,
      value: { getUserMedia: vi.fn(async () => fakeStream), enumerateDevices: vi.fn(async () => []) },
    })
  })
  afterEach(() => {
    releaseStream()
    vi.unstubAllGlobals()
  })

  it('streams the question, shows the live transcript, submits it and shows the evaluation arriving', async () => {
    const question = controlledStream()
    const calls = mockApi({
      'GET /api/interviews/iv1': () => Response.json(makeInterview({ consent_voice: true })),
      'POST /api/interviews/iv1/questions/next': () =>
        new Response(question.body, { headers: { 'Content-Type': 'text/event-stream' } }),
      'POST /api/interviews/iv1/media-token': () => Response.json({ detail: 'media server down' }, { status: 503 }),
      'POST /api/questions/q1/answer': () =>
        Response.json(
          { id: 'a1', question_id: 'q1', revision: 1, speech_metrics: {}, evaluation_status: 'pending' },
          { status: 202 },
        ),
      'GET /api/evaluations/timing': () => Response.json({ p50_s: 12.4, samples: 20 }),
    })
    render(
      <TestProviders>
        <I18nProvider locale="en">
          <InterviewRoomPage id="iv1" />
        </I18nProvider>
      </TestProviders>,
    )

    // The first question is requested automatically; until the first token the interviewer is "thinking".
    expect(await screen.findByText('The interviewer is thinking…')).toBeTruthy()
    // A media failure is shown as a banner with a retry, without blocking the interview.
    expect(await screen.findByText(/The media connection failed/)).toBeTruthy()

    await act(async () => {
      question.send('started', { position: 1 })
      question.send('token', { text: 'Why did you' })
    })
    await waitFor(() => expect(screen.getByText('Why did you')).toBeTruthy())
    expect(screen.queryByText('The interviewer is thinking…')).toBeNull()
    await act(async () => {
      question.send('token', { text: ' choose Postgres?' })
      question.send('done', { question_id: 'q1', position: 1, kind: 'opening', text: 'Why did you choose Postgres?' })
      question.close()
    })
    expect(await screen.findByRole('button', { name: 'Finish answer' })).toBeTruthy()
    expect(screen.getByText('Question 1 of 2')).toBeTruthy()

    const events = FakeEventSource.instances.at(-1)!
    expect(events.url).toBe('/api/interviews/iv1/events')
    expect(events.withCredentials).toBe(true)
    act(() => {
      events.emit('transcript.final', { interview_id: 'iv1', question_id: 'q1', text: 'Because of MVCC.', start_s: 0, end_s: 2, segment_id: 's1' })
      events.emit('transcript.partial', { interview_id: 'iv1', question_id: 'q1', text: 'And JSONB', start_s: 2.2, end_s: 3 })
    })
    expect(screen.getByText('Because of MVCC.').className).toBe('transcript-final')
    // A service problem shows as a translated banner (the server's English detail is not shown) and the room stays.
    act(() => {
      events.emit('service.status', { interview_id: 'iv1', service: 'stt', state: 'down', message: 'model not provisioned' })
    })
    expect(screen.getByText('Speech-to-text')).toBeTruthy()
    expect(screen.getByText(/is unavailable/)).toBeTruthy()
    expect(screen.queryByText(/model not provisioned/)).toBeNull()
    expect(screen.getByText('And JSONB').className).toBe('transcript-partial')

    fireEvent.click(screen.getByRole('button', { name: 'Finish answer' }))
    await waitFor(() => expect(screen.getByText('Scoring…')).toBeTruthy())
    const answer = calls.find((c) => c.key === 'POST /api/questions/q1/answer')
    expect(answer?.body).toMatchObject({ text: 'Because of MVCC. And JSONB', source: 'speech' })
    // While it is scored: how long that usually takes (the server's median), and the candidate may go on.
    expect(await screen.findByText(/Scoring usually takes ~12 s/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Next question' })).toBeTruthy()

    act(() => {
      events.emit('evaluation.ready', { interview_id: 'iv1', question_id: 'q1', answer_id: 'a1', overall_score: 4 })
    })
    // One scale everywhere (C1): "4 / 5", coloured as a good score.
    expect(screen.getByText('4 / 5').className).toContain('tone-high')
    expect(screen.getByRole('button', { name: 'Next question' })).toBeTruthy()
    expect(screen.queryByText(/Scoring usually takes/)).toBeNull()
  })

  it('finishes a voice answer by itself after the countdown; speaking again or the button cancels it', async () => {
    const question = controlledStream()
    const calls = mockApi({
      'GET /api/interviews/iv1': () => Response.json(makeInterview({ consent_voice: true })),
      'POST /api/interviews/iv1/questions/next': () =>
        new Response(question.body, { headers: { 'Content-Type': 'text/event-stream' } }),
      'POST /api/interviews/iv1/media-token': () => Response.json({ detail: 'media server down' }, { status: 503 }),
      'POST /api/questions/q1/answer': () =>
        Response.json(
          { id: 'a1', question_id: 'q1', revision: 1, speech_metrics: {}, evaluation_status: 'pending' },
          { status: 202 },
        ),
    })
    render(
      <TestProviders>
        <I18nProvider locale="en">
          <InterviewRoomPage id="iv1" />
        </I18nProvider>
      </TestProviders>,
    )
    await act(async () => {
      question.send('done', { question_id: 'q1', position: 1, kind: 'opening', text: 'Why did you choose Postgres?' })
      question.close()
    })
    expect(await screen.findByRole('button', { name: 'Finish answer' })).toBeTruthy()
    expect((screen.getByLabelText('Hands-free: finish when I stop talking') as HTMLInputElement).checked).toBe(true)
    const events = FakeEventSource.instances.at(-1)!
    const turnEnded = (countdown_s: number, question_id = 'q1') =>
      events.emit('turn.ended', { interview_id: 'iv1', question_id, end_s: 2.1, confidence: 0.9, reason: 'model', countdown_s })
    act(() => {
      events.emit('transcript.final', { interview_id: 'iv1', question_id: 'q1', text: 'Because of MVCC.', start_s: 0, end_s: 2, segment_id: 's1' })
    })

    // The candidate keeps talking: the countdown goes away and nothing is submitted.
    act(() => turnEnded(3))
    expect(screen.getByText('You seem to be done. Finishing your answer in 3 s, keep talking to continue.')).toBeTruthy()
    act(() => events.emit('speech.started', { interview_id: 'iv1', question_id: 'q1', start_s: 3 }))
    expect(screen.queryByText(/Finishing your answer in/)).toBeNull()
    // Or clicks "Keep answering".
    act(() => turnEnded(3))
    fireEvent.click(screen.getByRole('button', { name: 'Keep answering' }))
    expect(screen.queryByText(/Finishing your answer in/)).toBeNull()
    // A turn of another question does nothing.
    act(() => turnEnded(0.2, 'q0'))
    expect(screen.queryByText(/Finishing your answer in/)).toBeNull()
    expect(calls.some((c) => c.key === 'POST /api/questions/q1/answer')).toBe(false)

    // Silence after the turn: the answer is submitted by itself, as "Finish answer" would.
    act(() => turnEnded(0.3))
    await waitFor(() => expect(calls.some((c) => c.key === 'POST /api/questions/q1/answer')).toBe(true), { timeout: 3000 })
    const answer = calls.find((c) => c.key === 'POST /api/questions/q1/answer')
    expect(answer?.body).toMatchObject({ text: 'Because of MVCC.', source: 'speech' })
    expect(await screen.findByRole('button', { name: 'Next question' })).toBeTruthy()
  })

  it('offers a typed answer when the candidate did not consent to voice, and refuses an empty one', async () => {
    const calls = mockApi({
      'GET /api/interviews/iv1': () =>
        Response.json(
          makeInterview({
            questions: [makeQuestion({ text: 'Hi?' })],
          }),
        ),
      'POST /api/questions/q1/answer': () => Response.json({ detail: 'Answer too long' }, { status: 422 }),
    })
    render(
      <TestProviders>
        <I18nProvider locale="en">
          <InterviewRoomPage id="iv1" />
        </I18nProvider>
      </TestProviders>,
    )
    const box = await screen.findByLabelText('Your answer')
    fireEvent.click(screen.getByRole('button', { name: 'Finish answer' }))
    expect(screen.getByText('Type your answer first.')).toBeTruthy()
    fireEvent.change(box, { target: { value: 'My typed answer' } })
    fireEvent.click(screen.getByRole('button', { name: 'Finish answer' }))
    // the server refused: a translated error is shown (never the server's English detail) and the text is kept
    expect(await screen.findByText('The server did not accept this input. Check it and try again.')).toBeTruthy()
    expect(screen.queryByText('Answer too long')).toBeNull()
    expect((screen.getByLabelText('Your answer') as HTMLTextAreaElement).value).toBe('My typed answer')
    expect(calls.filter((c) => c.key.startsWith('POST /api/questions')).at(-1)?.body).toMatchObject({ source: 'typed' })
  })

  it('shows a retryable banner when the question model is unavailable', async () => {
    let attempt = 0
    mockApi({
      'GET /api/interviews/iv1': () => Response.json(makeInterview()),
      'POST /api/interviews/iv1/questions/next': () => {
        attempt++
        const s = controlledStream()
        if (attempt === 1) s.send('error', { code: 'model_unavailable', message: 'all replicas down' })
        else s.send('token', { text: 'Second try' })
        s.close()
        return new Response(s.body)
      },
    })
    render(
      <TestProviders>
        <I18nProvider locale="en">
          <InterviewRoomPage id="iv1" />
        </I18nProvider>
      </TestProviders>,
    )
    expect(await screen.findByText('The interviewer model is unavailable right now.')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }))
    // second attempt streams but is cut before "done": reported as an interrupted stream
    expect(await screen.findByText('The question stream was interrupted.')).toBeTruthy()
    expect(attempt).toBe(2)
  })
})
