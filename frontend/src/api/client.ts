import { readSseStream } from './sse'
import type {
  AnswerAccepted,
  AnswerCreate,
  ErrorBody,
  FinishAccepted,
  Health,
  Interview,
  InterviewCreate,
  InterviewDetail,
  InterviewEvent,
  InterviewEventType,
  InterviewSummary,
  MediaToken,
  ModelsInfo,
  PracticeCreate,
  Progress,
  QuestionStreamEvent,
  Report,
  ResumeUpload,
  ScoringTiming,
  SdpAnswer,
  SdpOffer,
  SignInRequest,
  SignUpRequest,
  User,
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

export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> | null = null
  try {
    body = (await response.json()) as Partial<ErrorBody>
  } catch {
    body = null
  }
  const detail = body?.detail
  if (Array.isArray(detail)) {
    const message = detail.map((issue) => issue.msg).join('; ') || response.statusText
    return new ApiError(response.status, message, detail)
  }
  if (typeof detail === 'string' && detail) return new ApiError(response.status, detail)
  return new ApiError(response.status, response.statusText || `HTTP ${response.status}`)
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, 'network')
  }
  if (!response.ok) throw await errorFromResponse(response)
  return response
}

async function json<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { Accept: 'application/json' } }
  if (body !== undefined) {
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' }
    init.body = JSON.stringify(body)
  }
  const response = await send(path, init)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

const enc = encodeURIComponent

export const api = {
  signup: (body: SignUpRequest) => json<User>('/api/auth/signup', 'POST', body),
  login: (body: SignInRequest) => json<User>('/api/auth/login', 'POST', body),
  logout: () => json<void>('/api/auth/logout', 'POST'),
  me: () => json<User>('/api/auth/me'),
  deleteAccount: () => json<void>('/api/auth/me', 'DELETE'),

  uploadResume: async (file: File): Promise<ResumeUpload> => {
    const form = new FormData()
    form.append('file', file)
    const response = await send('/api/uploads/resume', { method: 'POST', body: form })
    return (await response.json()) as ResumeUpload
  },

  createInterview: (body: InterviewCreate) => json<Interview>('/api/interviews', 'POST', body),
  listInterviews: () => json<InterviewSummary[]>('/api/interviews'),
  getInterview: (id: string) => json<InterviewDetail>(`/api/interviews/${enc(id)}`),
  deleteInterview: (id: string) => json<void>(`/api/interviews/${enc(id)}`, 'DELETE'),
  submitAnswer: (questionId: string, body: AnswerCreate) =>
    json<AnswerAccepted>(`/api/questions/${enc(questionId)}/answer`, 'POST', body),
  finishInterview: (id: string) => json<FinishAccepted>(`/api/interviews/${enc(id)}/finish`, 'POST'),
  getReport: (id: string) => json<Report>(`/api/interviews/${enc(id)}/report`),
  mediaToken: (id: string) => json<MediaToken>(`/api/interviews/${enc(id)}/media-token`, 'POST'),
  sendOffer: (offerUrl: string, body: SdpOffer) => json<SdpAnswer>(offerUrl, 'POST', body),
  health: () => json<Health>('/api/health'),
  models: () => json<ModelsInfo>('/api/models'),
  scoringTiming: () => json<ScoringTiming>('/api/evaluations/timing'),
  progress: (tz: string) => json<Progress>(`/api/progress?tz=${enc(tz)}`),
  startPractice: (body: PracticeCreate) => json<Interview>('/api/progress/practice', 'POST', body),
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
  const response = await send(`/api/interviews/${enc(interviewId)}/questions/next`, {
    method: 'POST',
    headers: { Accept: 'text/event-stream' },
    signal,
  })
  if (!response.body) throw new ApiError(response.status, 'empty response')
  await readSseStream(response.body, (message) => {
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
  const source = new EventSource(`/api/interviews/${enc(interviewId)}/events`, { withCredentials: true })
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
