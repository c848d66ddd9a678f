import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, streamNextQuestion } from './client'
import { readSseStream, SseParser, type SseMessage } from './sse'
import type { QuestionStreamEvent } from './types'

function collect(chunks: (string | Uint8Array)[]): SseMessage[] {
  const out: SseMessage[] = []
  const parser = new SseParser((m) => out.push(m))
  for (const chunk of chunks) parser.feed(chunk)
  parser.end()
  return out
}

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
      controller.close()
    },
  })
}

describe('SseParser', () => {
  it('parses named events with JSON data', () => {
    const events = collect(['event: token\ndata: {"text":"Hel"}\n\nevent: token\ndata: {"text":"lo"}\n\n'])
    expect(events.map((e) => [e.event, JSON.parse(e.data).text])).toEqual([
      ['token', 'Hel'],
      ['token', 'lo'],
    ])
  })

  it('reassembles events split at arbitrary chunk boundaries, including inside UTF-8 characters', () => {
    const text = 'event: token\ndata: {"text":"안녕하세요 — hello"}\n\n'
    const bytes = new TextEncoder().encode(text)
    for (let cut = 1; cut < bytes.length; cut++) {
      const events = collect([bytes.slice(0, cut), bytes.slice(cut)])
      expect(events).toHaveLength(1)
      expect(JSON.parse(events[0].data).text).toBe('안녕하세요 — hello')
    }
  })

  it('handles CRLF and CR line endings, including a CRLF split across chunks', () => {
    expect(collect(['event: a\r\ndata: 1\r\n\r\n'])).toMatchObject([{ event: 'a', data: '1' }])
    expect(collect(['event: a\rdata: 1\r\r'])).toMatchObject([{ event: 'a', data: '1' }])
    const split = collect(['event: a\r', '\ndata: 1\r', '\n\r', '\nevent: b\ndata: 2\n\n'])
    expect(split.map((e) => e.event)).toEqual(['a', 'b'])
  })

  it('joins multi-line data, ignores comments and unknown fields, keeps ids', () => {
    const events = collect([': keep-alive\n', 'id: 7-0\nevent: done\ndata: line1\ndata: line2\nfoo: bar\n\n'])
    expect(events).toEqual([{ event: 'done', data: 'line1\nline2', id: '7-0', retry: null }])
  })

  it('defaults the event name to "message", strips one leading space only, and drops a BOM', () => {
    const events = collect(['\uFEFFdata:  two spaces\n\n'])
    expect(events).toEqual([{ event: 'message', data: ' two spaces', id: null, retry: null }])
  })

  it('discards an unterminated event at end of stream and events without data', () => {
    expect(collect(['event: lonely\n\n', 'event: token\ndata: {"text":"x"}'])).toEqual([])
  })

  it('reads a whole ReadableStream', async () => {
    const seen: string[] = []
    await readSseStream(streamOf(['event: started\ndata: {"position":1}\n', '\nevent: done\ndata: {}\n\n']), (m) =>
      seen.push(m.event),
    )
    expect(seen).toEqual(['started', 'done'])
  })
})

describe('streamNextQuestion', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('POSTs and delivers typed events in order, skipping malformed ones', async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(
          streamOf([
            'event: started\ndata: {"position":2}\n\n',
            'event: token\ndata: {"text":"Tell me"}\n\n',
            'event: token\ndata: not-json\n\n',
            'event: token\ndata: {"text":" about"}\n\n',
            'event: done\ndata: {"question_id":"q2","position":2,"kind":"technical","text":"Tell me about"}\n\n',
          ]),
          { status: 200, headers: { 'Content-Type': 'text/event-stream' } },
        ),
    )
    vi.stubGlobal('fetch', fetchMock)
    const events: QuestionStreamEvent[] = []
    await streamNextQuestion('iv 1', (e) => events.push(e))
    const request = (fetchMock.mock.calls[0] as unknown as [Request])[0]
    expect(new URL(request.url).pathname).toBe('/api/interviews/iv%201/questions/next')
    expect(request.method).toBe('POST')
    expect(request.credentials).toBe('same-origin')
    expect(events.map((e) => e.event)).toEqual(['started', 'token', 'token', 'done'])
    expect(events.at(-1)).toMatchObject({ data: { question_id: 'q2', kind: 'technical' } })
  })

  it('rejects with ApiError carrying the server detail on 409', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Response.json({ detail: 'previous question is unanswered' }, { status: 409 })),
    )
    await expect(streamNextQuestion('x', () => undefined)).rejects.toMatchObject({
      status: 409,
      message: 'previous question is unanswered',
    })
  })

  it('turns a network failure into ApiError status 0', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch')
      }),
    )
    const error = await streamNextQuestion('x', () => undefined).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(0)
  })
})

describe('API errors', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('maps FastAPI validation errors to field messages', async () => {
    const detail = [{ loc: ['body', 'password'], msg: 'String should have at least 8 characters', type: 'too_short' }]
    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ detail }, { status: 422 })))
    const error = (await api.signup({ email: 'a@b.co', password: 'x' }).catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(422)
    expect(error.fieldErrors()).toEqual({ password: 'String should have at least 8 characters' })
  })

  it('falls back to the status text when the body is not JSON', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>', { status: 502, statusText: 'Bad Gateway' })))
    const error = (await api.me().catch((e: unknown) => e)) as ApiError
    expect(error.message).toBe('Bad Gateway')
  })

  it('uploads a resume as multipart form data', async () => {
    const fetchMock = vi.fn(async (_request: Request) => Response.json({ text: 'Ada', pages: 1, chars: 3, truncated: false }))
    vi.stubGlobal('fetch', fetchMock)
    const file = new File(['%PDF-1.4'], 'cv.pdf', { type: 'application/pdf' })
    expect(await api.uploadResume(file)).toEqual({ text: 'Ada', pages: 1, chars: 3, truncated: false })
    const request = fetchMock.mock.calls[0][0]
    expect(new URL(request.url).pathname).toBe('/api/uploads/resume')
    expect(request.headers.get('Content-Type')).toMatch(/^multipart\/form-data; boundary=/)
    // jsdom's File does not survive Node's Request (the bytes arrive only in a browser, checked in Chromium)
    expect((await request.formData()).has('file')).toBe(true)
  })
})
