import createClient from 'openapi-fetch'
import type { paths } from './schema.gen'
import { readSseStream } from './sse'
import type {
  AnswerAccepted,
  AnswerCreate,
  InterviewCreate,
  InterviewDetail,
  InterviewEvent,
  InterviewEventType,
  MediaToken,
  PracticeCreate,
  QuestionStreamEvent,
  Report,
  SdpOffer,
  SignInRequest,
  SignUpRequest,
  ValidationIssue,
} from './types'
import { INTERVIEW_EVENT_TYPES } from './types'

/** A non-2xx answer from the API, or a network failure (status 0). `message` is always human-readable. */
export class ApiError extends Error {
  readonly status: number
  readonly issues: ValidationIssue[]

  constructor(status: number, message: string, issues: ValidationIssue[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.issues = issues
  }

  /** Field name -> message, from a 422 validation error (`loc` like ["body", "email"]). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const issue of this.issues) {
      const field = issue.loc.filter((part) => part !== 'body').join('.')
      if (field && !(field in out)) out[field] = issue.msg
    }
    return out
  }
}

/** The ApiError for a non-2xx response whose body openapi-fetch has already parsed (JSON, else text). */
function apiError(response: Response, body: unknown): ApiError {
  const detail = (body as { detail?: unknown } | null | undefined)?.detail
  if (Array.isArray(detail)) {
    const issues = detail as ValidationIssue[]
    return new ApiError(response.status, issues.map((issue) => issue.msg).join('; ') || response.statusText, issues)
  }
  if (typeof detail === 'string' && detail) return new ApiError(response.status, detail)
  return new ApiError(response.status, response.statusText || `HTTP ${response.status}`)
}

// Typed by the generated `paths`: a path, parameter or body the API does not have fails `tsc -b`. The fetch is looked
// up per call (tests stub it); an absolute base URL because Request needs one outside a document (Vitest).
const apiOrigin = globalThis.location?.origin ?? 'http://localhost'
const http = createClient<paths>({
  baseUrl: apiOrigin,
  credentials: 'same-origin',
  fetch: (request) => globalThis.fetch(request),
})

type Result<D> = { data?: D; error?: unknown; response: Response }

/** The data of a 2xx answer; ApiError for any other, and ApiError(0) for a network failure. */
async function call<D>(pending: Promise<Result<D>>): Promise<D> {
  let result: Result<D>
  try {
    result = await pending
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, 'network')
  }
  if (!result.response.ok) throw apiError(result.response, result.error)
  return result.data as D
}

const OFFER_PATH = '/api/media/offer'
const interview = (id: string) => ({ params: { path: { interview_id: id } } })

export const api = {
  signup: (body: SignUpRequest) =>
    call(http.POST('/api/auth/signup', { body })),
  login: (body: SignInRequest) =>
    call(http.POST('/api/auth/login', { body })),
  logout: () => call(http.POST('/api/auth/logout')),
  me: () => call(http.GET('/api/auth/me')),
  deleteAccount: () => call(http.DELETE('/api/auth/me')),

  uploadResume: (file: File) =>
    call(
      http.POST('/api/uploads/resume', {
        body: { file: '' }, // replaced by the form below; the schema types the field as a binary string
        bodySerializer: () => {
          const form = new FormData()
          form.append('file', file)
          return form
        },
      }),
    ),

  createInterview: (body: InterviewCreate) =>
    call(http.POST('/api/interviews', { body })),
  listInterviews: () => call(http.GET('/api/interviews')),
  getInterview: (id: string) =>
    call(http.GET('/api/interviews/{interview_id}', interview(id))) as Promise<InterviewDetail>,
  deleteInterview: (id: string) => call(http.DELETE('/api/interviews/{interview_id}', interview(id))),
  submitAnswer: (questionId: string, body: AnswerCreate) =>
    call(
      http.POST('/api/questions/{question_id}/answer', { params: { path: { question_id: questionId } }, body }),
    ) as Promise<AnswerAccepted>,
  finishInterview: (id: string) => call(http.POST('/api/interviews/{interview_id}/finish', interview(id))),
  getReport: (id: string) => call(http.GET('/api/interviews/{interview_id}/report', interview(id))) as Promise<Report>,
  mediaToken: (id: string) =>
    call(http.POST('/api/interviews/{interview_id}/media-token', interview(id))) as Promise<MediaToken>,
  /** The offer goes where the media token says: /api/media/offer, on this origin unless the URL names another. */
  sendOffer: (offerUrl: string, body: SdpOffer) => {
    const url = new URL(offerUrl, apiOrigin)
    if (!url.pathname.endsWith(OFFER_PATH)) return Promise.reject(new ApiError(0, `unexpected offer URL ${offerUrl}`))
    return call(http.POST(OFFER_PATH, { body, baseUrl: url.origin + url.pathname.slice(0, -OFFER_PATH.length) }))
  },
  health: () => call(http.GET('/api/health')),
  models: () => call(http.GET('/api/models')),
  scoringTiming: () => call(http.GET('/api/evaluations/timing')),
  progress: (tz: string) => call(http.GET('/api/progress', { params: { query: { tz } } })),
  startPractice: (body: PracticeCreate) => call(http.POST('/api/progress/practice', { body })),
}

/**
 * POST /questions/next and deliver its events as they stream. Resolves when the stream ends. A 4xx before the
 * stream starts (e.g. 409 "previous question unanswered") rejects with ApiError; a server-side failure during the
 * stream arrives as an `error` event.
 */
export async function streamNextQuestion(
  interviewId: string,
  onEvent: (event: QuestionStreamEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const body = await call(
    http.POST('/api/interviews/{interview_id}/questions/next', {
      ...interview(interviewId),
      headers: { Accept: 'text/event-stream' },
      parseAs: 'stream',
      signal,
    }),
  )
  if (!body) throw new ApiError(200, 'empty response')
  await readSseStream(body, (message) => {
    const known = ['started', 'token', 'done', 'error']
    if (!known.includes(message.event)) return
    let data: unknown
    try {
      data = JSON.parse(message.data)
    } catch {
      return // a malformed event is skipped rather than tearing down the question
    }
    onEvent({ event: message.event, data } as QuestionStreamEvent)
  })
}

/** Subscribe to an interview's live events. EventSource reconnects by itself and resumes with Last-Event-ID. */
export function openInterviewEvents(
  interviewId: string,
  onEvent: (event: InterviewEvent) => void,
  onConnection?: (state: 'open' | 'error') => void,
  types: readonly InterviewEventType[] = INTERVIEW_EVENT_TYPES,
): () => void {
  const source = new EventSource(`/api/interviews/${encodeURIComponent(interviewId)}/events`, { withCredentials: true })
  for (const type of types) {
    source.addEventListener(type, (raw) => {
      const message = raw as MessageEvent<string>
      try {
        const data: unknown = JSON.parse(message.data)
        onEvent({ type, id: message.lastEventId || null, data } as InterviewEvent)
      } catch {
        // ignore malformed payloads; the next event will carry fresh state
      }
    })
  }
  source.onopen = () => onConnection?.('open')
  source.onerror = () => onConnection?.('error')
  return () => source.close()
}
