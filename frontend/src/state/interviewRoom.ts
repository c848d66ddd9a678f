import type {
  AnswerAccepted,
  AnswerSource,
  HealthState,
  InterviewDetail,
  InterviewEvent,
  QuestionErrorCode,
  QuestionKind,
  QuestionSource,
  QuestionStreamEvent,
  ServiceName,
} from '../api/types'
import { applyFinal, applyPartial, EMPTY_TRANSCRIPT, fullText, type QuestionTranscript } from './transcript'

// The interview room as a pure state machine, so every transition is unit-testable without a browser:
//
//   loading ─loaded─▶ idle ─ask─▶ thinking ─first token─▶ streaming ─done─▶ answering ─submit─▶ submitting
//      ▲                ▲            │                       │                                     │
//      │                └─ error ────┴───────────────────────┘       idle/complete ◀─ submitted ───┘
//                                                                    complete ─finish─▶ finishing ─▶ finished

export type Phase =
  | 'loading'
  | 'idle'
  | 'thinking'
  | 'streaming'
  | 'answering'
  | 'submitting'
  | 'complete'
  | 'finishing'
  | 'finished'
  | 'load_failed'

export type EvaluationView =
  | { status: 'none' }
  /** `slow`: the evaluator is busy or timed out and retries (issue 18): the candidate is told why it takes long. */
  | { status: 'pending'; retrying: boolean; slow?: boolean }
  | { status: 'ready'; score: number | null }
  | { status: 'failed'; reason: string; code: string | null }

/** Retry reasons that mean "the evaluator is busy", shown as slow scoring with its reason (issue 18). */
const SLOW_RETRY_CODES = new Set(['timeout', 'unavailable'])

/** A question longer than this is a model rambling (the API caps it too): the room shows at most this much. */
export const MAX_QUESTION_CHARS = 400

/** `text` cut to MAX_QUESTION_CHARS at a word boundary, with an ellipsis when cut. */
export function capQuestion(text: string): string {
  if (text.length <= MAX_QUESTION_CHARS) return text
  const cut = text.slice(0, MAX_QUESTION_CHARS)
  const space = cut.lastIndexOf(' ')
  return `${(space > MAX_QUESTION_CHARS * 0.8 ? cut.slice(0, space) : cut).trimEnd()}…`
}

export interface QuestionView {
  id: string
  position: number
  kind: QuestionKind
  source?: QuestionSource
  competency?: string | null
  text: string
  answered: boolean
  evaluation: EvaluationView
}

export interface RoomError {
  scope: 'question' | 'answer' | 'finish' | 'load'
  message: string
  code?: QuestionErrorCode | 'conflict' | 'network'
}

export interface ServiceProblem {
  state: Exclude<HealthState, 'ok'>
  message: string
}

export interface ExpressionView {
  faceFound: boolean
  dominant: string | null
  confidence: number | null
}

export interface RoomState {
  phase: Phase
  interview: InterviewDetail | null
  questions: QuestionView[]
  currentQuestionId: string | null
  draft: { position: number | null; text: string }
  answerStartedAt: string | null
  transcripts: Record<string, QuestionTranscript>
  mode: AnswerSource
  error: RoomError | null
  services: Partial<Record<ServiceName, ServiceProblem>>
  expression: ExpressionView | null
}

export type RoomAction =
  | { type: 'loaded'; interview: InterviewDetail; at: string }
  | { type: 'load_failed'; message: string }
  | { type: 'ask' }
  | { type: 'stream'; event: QuestionStreamEvent; at: string }
  | { type: 'stream_failed'; message: string; code?: RoomError['code'] }
  | { type: 'submit' }
  | { type: 'submitted'; accepted: AnswerAccepted }
  | { type: 'submit_failed'; message: string }
  | { type: 'finish' }
  | { type: 'finish_failed'; message: string }
  | { type: 'finished' }
  | { type: 'event'; event: InterviewEvent }
  | { type: 'set_mode'; mode: AnswerSource }
  | { type: 'service'; service: ServiceName; state: HealthState; message: string }
  | { type: 'dismiss_error' }
  | { type: 'evaluation_slow'; questionId: string }

export const initialRoomState: RoomState = {
  phase: 'loading',
  interview: null,
  questions: [],
  currentQuestionId: null,
  draft: { position: null, text: '' },
  answerStartedAt: null,
  transcripts: {},
  mode: 'typed',
  error: null,
  services: {},
  expression: null,
}

function evaluationFromApi(question: InterviewDetail['questions'][number]): EvaluationView {
  if (!question.answer) return { status: 'none' }
  const evaluation = question.evaluation
  if (!evaluation || evaluation.status === 'pending') return { status: 'pending', retrying: false }
  if (evaluation.status === 'ready') return { status: 'ready', score: evaluation.overall_score }
  return { status: 'failed', reason: evaluation.error ?? '', code: evaluation.error_code ?? null }
}

/** Where to go when no question is open: ask the next one, or everything is asked and answered. */
function restingPhase(state: RoomState): Phase {
  const total = state.interview?.num_questions ?? 0
  const answered = state.questions.filter((q) => q.answered).length
  return state.questions.length >= total && answered >= state.questions.length ? 'complete' : 'idle'
}

function updateQuestion(state: RoomState, id: string, patch: (q: QuestionView) => QuestionView): RoomState {
  if (!state.questions.some((q) => q.id === id)) return state
  return { ...state, questions: state.questions.map((q) => (q.id === id ? patch(q) : q)) }
}

function applyEvent(state: RoomState, event: InterviewEvent): RoomState {
  switch (event.type) {
    case 'transcript.partial':
    case 'transcript.final': {
      // STT attributes speech to the live question; when it cannot (null) it belongs to the one being answered.
      const questionId = event.data.question_id ?? state.currentQuestionId
      if (!questionId) return state
      const before = state.transcripts[questionId] ?? EMPTY_TRANSCRIPT
      const after = event.type === 'transcript.partial' ? applyPartial(before, event.data) : applyFinal(before, event.data)
      if (after === before) return state
      return { ...state, transcripts: { ...state.transcripts, [questionId]: after } }
    }
    case 'expression.sample':
      if (!state.interview?.consent_camera) return state
      return {
        ...state,
        expression: {
          faceFound: event.data.face_found,
          dominant: event.data.face_found ? event.data.dominant : null,
          confidence: event.data.face_found ? event.data.confidence : null,
        },
      }
    case 'evaluation.pending':
      return updateQuestion(state, event.data.question_id, (q) =>
        q.evaluation.status === 'ready' ? q : { ...q, answered: true, evaluation: { status: 'pending', retrying: false } },
      )
    case 'evaluation.ready':
      return updateQuestion(state, event.data.question_id, (q) => ({
        ...q,
        answered: true,
        evaluation: { status: 'ready', score: event.data.overall_score },
      }))
    case 'evaluation.failed':
      return updateQuestion(state, event.data.question_id, (q) => ({
        ...q,
        evaluation: event.data.final
          ? { status: 'failed', reason: event.data.reason, code: event.data.error_code ?? null }
          : {
              status: 'pending',
              retrying: true,
              // A retry after a timeout or an unavailable evaluator means a busy machine: say so at once.
              slow: SLOW_RETRY_CODES.has(event.data.error_code ?? '') || undefined,
            },
      }))
    case 'service.status':
      // The event's own fields include its `type` ("service.status"): the action type must come last.
      return reduceRoom(state, {
        type: 'service',
        service: event.data.service,
        state: event.data.state,
        message: event.data.message,
      })
    case 'report.ready':
    case 'report.failed':
      return state.phase === 'finishing' ? { ...state, phase: 'finished' } : state
    default:
      // question.* events mirror our own POST stream; the POST stream is authoritative for this tab.
      return state
  }
}

export function reduceRoom(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case 'loaded': {
      const interview = action.interview
      const sorted = [...interview.questions].sort((a, b) => a.position - b.position)
      const questions: QuestionView[] = sorted.map((q) => ({
        id: q.id,
        position: q.position,
        kind: q.kind,
        source: q.source,
        competency: q.competency,
        text: q.text,
        answered: q.answer !== null,
        evaluation: evaluationFromApi(q),
      }))
      const open = questions.find((q) => !q.answered) ?? null
      const next: RoomState = {
        ...state,
        interview,
        questions,
        currentQuestionId: open?.id ?? null,
        answerStartedAt: open ? action.at : null,
        mode: interview.consent_voice ? 'speech' : 'typed',
        error: null,
        draft: { position: null, text: '' },
      }
      if (interview.status !== 'active') return { ...next, phase: 'finished' }
      return { ...next, phase: open ? 'answering' : restingPhase(next) }
    }
    case 'load_failed':
      return { ...state, phase: 'load_failed', error: { scope: 'load', message: action.message } }
    case 'ask':
      if (state.phase !== 'idle') return state
      return { ...state, phase: 'thinking', error: null, draft: { position: null, text: '' } }
    case 'stream': {
      const { event } = action
      if (state.phase !== 'thinking' && state.phase !== 'streaming') return state
      switch (event.event) {
        case 'started':
          return { ...state, draft: { position: event.data.position, text: '' } }
        case 'token':
          // A rambling model must not fill the screen: stop growing the draft past the cap (the API caps it too).
          if (state.draft.text.length > MAX_QUESTION_CHARS) return { ...state, phase: 'streaming' }
          return { ...state, phase: 'streaming', draft: { ...state.draft, text: state.draft.text + event.data.text } }
        case 'done': {
          const question: QuestionView = {
            id: event.data.question_id,
            position: event.data.position,
            kind: event.data.kind,
            source: event.data.source,
            competency: event.data.competency,
            text: event.data.text,
            answered: false,
            evaluation: { status: 'none' },
          }
          const questions = [...state.questions.filter((q) => q.id !== question.id), question].sort(
            (a, b) => a.position - b.position,
          )
          return {
            ...state,
            phase: 'answering',
            questions,
            currentQuestionId: question.id,
            answerStartedAt: action.at,
            draft: { position: null, text: '' },
          }
        }
        case 'error':
          if (event.data.code === 'no_more_questions') {
            return { ...state, phase: 'complete', draft: { position: null, text: '' } }
          }
          return {
            ...state,
            phase: 'idle',
            error: { scope: 'question', message: event.data.message, code: event.data.code },
          }
      }
      return state
    }
    case 'stream_failed':
      if (state.phase !== 'thinking' && state.phase !== 'streaming') return state
      return { ...state, phase: 'idle', error: { scope: 'question', message: action.message, code: action.code } }
    case 'submit':
      if (state.phase !== 'answering') return state
      return { ...state, phase: 'submitting', error: null }
    case 'submitted': {
      const withAnswer = updateQuestion(state, action.accepted.question_id, (q) => ({
        ...q,
        answered: true,
        evaluation: q.evaluation.status === 'ready' ? q.evaluation : { status: 'pending', retrying: false },
      }))
      const next = { ...withAnswer, currentQuestionId: null, answerStartedAt: null }
      return { ...next, phase: restingPhase(next) }
    }
    case 'submit_failed':
      if (state.phase !== 'submitting') return state
      return { ...state, phase: 'answering', error: { scope: 'answer', message: action.message } }
    case 'finish':
      if (state.phase !== 'complete' && state.phase !== 'idle') return state
      return { ...state, phase: 'finishing', error: null }
    case 'finish_failed':
      return { ...state, phase: restingPhase(state), error: { scope: 'finish', message: action.message } }
    case 'finished':
      return { ...state, phase: 'finished' }
    case 'event':
      return applyEvent(state, action.event)
    case 'set_mode':
      return { ...state, mode: action.mode }
    case 'service': {
      const services = { ...state.services }
      if (action.state === 'ok') delete services[action.service]
      else services[action.service] = { state: action.state, message: action.message }
      return { ...state, services }
    }
    case 'dismiss_error':
      return { ...state, error: null }
    case 'evaluation_slow':
      return updateQuestion(state, action.questionId, (q) =>
        q.evaluation.status === 'pending' ? { ...q, evaluation: { ...q.evaluation, slow: true } } : q,
      )
    default:
      // An action from a newer caller must never turn the room's state into undefined (a blank page).
      return state
  }
}

/** The text to submit: what was typed, or the live transcript (finals plus the words still being recognised). */
export function answerText(state: RoomState, typed: string): string {
  if (state.mode === 'typed') return typed.trim()
  const id = state.currentQuestionId
  return id ? fullText(state.transcripts[id] ?? EMPTY_TRANSCRIPT) : ''
}

export function currentQuestion(state: RoomState): QuestionView | null {
  return state.questions.find((q) => q.id === state.currentQuestionId) ?? null
}

export function answeredCount(state: RoomState): number {
  return state.questions.filter((q) => q.answered).length
}
