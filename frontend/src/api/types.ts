// The API's types, named for the UI. They come from `schema.gen.ts`, which openapi-typescript generates from the
// API's OpenAPI schema (`make api-types`; `make test` fails when the committed file is stale). Written by hand here:
// only what the schema leaves open (free-form JSON objects the UI reads field by field) and the two event streams,
// which OpenAPI does not describe.
import type { components } from './schema.gen'

type Schemas = components['schemas']
/** A response field FastAPI always fills in, although its model gives it a default (so the schema says optional). */
type Filled<T> = { [K in keyof T]-?: T[K] }

export type Locale = Schemas['Language']
export type RolePreset = NonNullable<Schemas['InterviewIn']['role_preset']>
export type Seniority = Schemas['InterviewIn']['seniority']
export type InterviewStatus = Schemas['InterviewStatus']
export type QuestionKind = Schemas['QuestionKind']
/** Where a shown question came from (C3): personalised by the model, a follow-up, or the vetted bank question. */
export type QuestionSource = Schemas['QuestionSource']
export type AnswerSource = Schemas['AnswerOut']['source']
export type EvaluationStatus = Schemas['EvaluationOut']['status']
export type ReportStatus = Schemas['ReportOut']['status']
/** Why an evaluation failed (C3); the UI translates by code, the English `error` is for logs. */
export type EvaluationErrorCode = 'unavailable' | 'bad_output' | 'degenerate' | 'wrong_language' | 'rejected' | 'timeout'
export const EVALUATION_ERROR_CODES: readonly EvaluationErrorCode[] = [
  'unavailable',
  'bad_output',
  'degenerate',
  'wrong_language',
  'rejected',
  'timeout',
]
/** Every score a candidate sees is on this one scale (C1). */
export const SCORE_MIN = 1
export const SCORE_MAX = 5
export type RubricCriterion = 'relevance' | 'depth' | 'structure' | 'clarity' | 'evidence'
export const RUBRIC_CRITERIA: readonly RubricCriterion[] = ['relevance', 'depth', 'structure', 'clarity', 'evidence']
export const ROLE_PRESETS: readonly RolePreset[] = ['backend', 'frontend', 'data', 'pm', 'devops', 'ml']
export const SENIORITIES: readonly Seniority[] = ['junior', 'mid', 'senior', 'lead']

export type ValidationIssue = Schemas['ValidationIssue']
export type ErrorBody = Schemas['ValidationErrorOut']

export type User = Schemas['UserOut']
export type SignUpRequest = Schemas['SignUpIn']
export type SignInRequest = Schemas['SignInIn']
export type ResumeUpload = Schemas['ResumeText']

export type InterviewCreate = Schemas['InterviewIn']
export type PlanCompetency = Schemas['PlanCompetency']
export type PlanSlot = Schemas['PlanSlot']
/** What the interview covers: chosen at setup, stored with the interview, shown in the report. */
export type InterviewPlan = Schemas['PlanOut']
export type Interview = Schemas['InterviewOut']
export type InterviewSummary = Schemas['InterviewSummary']

// `speech_metrics` and `rubric` are free-form objects in the schema (typed answers have `{}`).
export interface SpeechMetrics {
  words: number
  syllables: number
  duration_s: number | null // speaking time: the transcript's span, else the answer's start to end
  wpm: number | null // null when no pace can be given (no timing, or an impossible one)
  spm: number | null
  fillers: Record<string, number>
  filler_count: number
  long_pauses: number
}
export type Answer = Omit<Schemas['AnswerOut'], 'speech_metrics'> & { speech_metrics: Partial<SpeechMetrics> }
export type Rubric = Record<RubricCriterion, number>
/** `error_code` is an EvaluationErrorCode, typed loosely so a newer server's code still renders. */
export type Evaluation = Omit<Schemas['EvaluationOut'], 'rubric'> & { rubric: Partial<Rubric> }
export type Question = Omit<Schemas['QuestionOut'], 'answer' | 'evaluation'> & {
  answer: Answer | null
  evaluation: Evaluation | null
}
export type InterviewDetail = Omit<Schemas['InterviewDetail'], 'questions'> & { questions: Question[] }
export type AnswerCreate = Schemas['AnswerIn']
export type AnswerAccepted = Omit<Filled<Schemas['AnswerAccepted']>, 'speech_metrics'> & {
  speech_metrics: Partial<SpeechMetrics>
}
export type FinishAccepted = Schemas['FinishOut']

export type IceServer = Schemas['IceServer']
export type MediaToken = Filled<Schemas['MediaTokenOut']>
export type SdpOffer = Schemas['OfferIn']
export type SdpAnswer = Schemas['AnswerSdp']

// Expression readings: practice feedback, never a hiring signal. Empty (samples 0) without camera consent.
export type ExpressionSummary = Filled<Schemas['ExpressionAggregate']>
export type QuestionExpression = Filled<Schemas['QuestionExpression']>
export type QuestionMark = Schemas['QuestionMark']
export type TranscriptSegment = Schemas['TranscriptSegmentOut']
export type KeyPoint = Schemas['KeyPointOut']
/** Behaviourally anchored rating scale of the question's competency: what a 1, 3 and 5 answer look like. */
export type Anchors = Schemas['AnchorsOut']
export type ReportQuestion = Omit<
  Schemas['ReportQuestion'],
  'answer' | 'evaluation' | 'speech_metrics' | 'expression'
> & {
  answer: Answer | null
  evaluation: Evaluation | null
  speech_metrics: Partial<SpeechMetrics>
  expression: QuestionExpression | null
}
export type TimelinePoint = Schemas['TimelinePoint']
export type SpeakingSummary = Schemas['Speaking']
export type Report = Omit<Schemas['ReportOut'], 'rubric' | 'questions' | 'expression'> & {
  rubric: Partial<Rubric> // criterion -> mean 1..5 over scored answers
  questions: ReportQuestion[]
  expression: ExpressionSummary
}

export type ModelRole = Schemas['RoleModel']
export type ModelsInfo = Schemas['ModelsOut']
export type HealthState = Schemas['HealthOut']['status']
export type Health = Schemas['HealthOut']

// --- streamed question (POST /questions/next, text/event-stream) ------------------------------------------------
export type QuestionErrorCode =
  | 'model_unavailable'
  | 'model_timeout'
  | 'bad_output'
  | 'no_more_questions'
  | 'internal'

export type QuestionStreamEvent =
  | { event: 'started'; data: { position: number; kind?: QuestionKind; competency?: string | null } }
  | { event: 'token'; data: { text: string } }
  | {
      event: 'done'
      data: {
        question_id: string
        position: number
        kind: QuestionKind
        text: string
        source?: QuestionSource
        competency?: string | null
      }
    }
  | { event: 'error'; data: { message: string; code: QuestionErrorCode } }

// --- interview events (GET /events, EventSource); mirrors core/events.py ---------------------------------------
export type ServiceName = 'media' | 'stt' | 'question_model' | 'evaluator_model' | 'vision'

interface BaseEvent {
  interview_id: string
}

export interface InterviewEventMap {
  'question.started': BaseEvent & { position: number }
  'question.token': BaseEvent & { position: number; text: string }
  'question.ready': BaseEvent & { question_id: string; position: number; kind: QuestionKind; text: string }
  'question.failed': BaseEvent & { position: number; message: string }
  'transcript.partial': BaseEvent & { question_id: string | null; text: string; start_s: number; end_s: number }
  'transcript.final': BaseEvent & {
    question_id: string | null
    segment_id?: string | null
    text: string
    start_s: number
    end_s: number
    confidence?: number | null
  }
  /** Voice activity on the media server: the candidate started speaking (barge-in, cancels a countdown). */
  'speech.started': BaseEvent & { question_id: string | null; start_s: number }
  /** The end-of-turn model (or a long silence) says the answer is over; the room finishes it after `countdown_s`. */
  'turn.ended': BaseEvent & {
    question_id: string | null
    end_s: number
    confidence: number
    reason: 'model' | 'silence'
    countdown_s: number
  }
  'expression.sample': BaseEvent & {
    question_id: string | null
    captured_at: string
    face_found: boolean
    dominant: string | null
    confidence: number | null
    scores: Record<string, number>
  }
  'evaluation.pending': BaseEvent & { question_id: string; answer_id: string }
  'evaluation.ready': BaseEvent & { question_id: string; answer_id: string; overall_score: number }
  'evaluation.failed': BaseEvent & {
    question_id: string
    answer_id: string
    reason: string
    final: boolean
    error_code?: string | null
  }
  'report.ready': BaseEvent & { overall_score: number | null }
  'report.failed': BaseEvent & { reason: string }
  'service.status': BaseEvent & { service: ServiceName; state: HealthState; message: string }
}

export type InterviewEventType = keyof InterviewEventMap
export const INTERVIEW_EVENT_TYPES: readonly InterviewEventType[] = [
  'question.started',
  'question.token',
  'question.ready',
  'question.failed',
  'transcript.partial',
  'transcript.final',
  'speech.started',
  'turn.ended',
  'expression.sample',
  'evaluation.pending',
  'evaluation.ready',
  'evaluation.failed',
  'report.ready',
  'report.failed',
  'service.status',
]

export type InterviewEvent = {
  [K in InterviewEventType]: { type: K; id: string | null; data: InterviewEventMap[K] }
}[InterviewEventType]

// --- progress and practice (issue 20) ---------------------------------------------------------------------------
/** One interview's score for a competency: the mean of its evaluated answers there (1–5). */
export type ProgressSession = Schemas['SessionOut']
/** SM-2 state of a competency (core/practice.py). */
export type CompetencySchedule = Schemas['ScheduleOut']
export type CompetencyProgress = Schemas['CompetencyProgressOut']
export type Progress = Schemas['ProgressOut']
export type PracticeCreate = Schemas['PracticeIn']
/** GET /api/evaluations/timing: median seconds from submitting an answer to its score (null until enough data). */
export type ScoringTiming = Schemas['ScoringTiming']
