// Hand-written mirror of the API contract. `npm run check:api` generates `schema.gen.ts` from the API's OpenAPI
// document and `contract.check.ts` asserts these types against it, so the two cannot drift silently.

export type Locale = 'ko' | 'en'
export type RolePreset = 'backend' | 'frontend' | 'data' | 'pm' | 'devops' | 'ml'
export type Seniority = 'junior' | 'mid' | 'senior' | 'lead'
export type InterviewStatus = 'active' | 'finishing' | 'finished'
// C2 taxonomy. A follow-up is a *source*, not a kind (the migration moved stored follow-ups to source).
export type QuestionKind = 'opening' | 'technical' | 'behavioural' | 'situational' | 'closing'
/** Where a shown question came from (C3): personalised by the model, a follow-up, or the vetted bank question. */
export type QuestionSource = 'generated' | 'follow_up' | 'bank'
export type AnswerSource = 'speech' | 'typed'
export type EvaluationStatus = 'pending' | 'ready' | 'failed'
export type ReportStatus = 'pending' | 'ready' | 'failed'
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

export interface ValidationIssue {
  loc: (string | number)[]
  msg: string
  type: string
}

export interface ErrorBody {
  detail: string | ValidationIssue[]
}

// --- auth -------------------------------------------------------------------------------------------------------
export interface User {
  id: string
  email: string
  display_name: string
  locale: Locale
}

export interface SignUpRequest {
  email: string
  password: string
  display_name?: string
  locale?: Locale
}

export interface SignInRequest {
  email: string
  password: string
}

// --- uploads ----------------------------------------------------------------------------------------------------
export interface ResumeUpload {
  text: string
  pages: number
  chars: number
  truncated: boolean
}

// --- interviews -------------------------------------------------------------------------------------------------
export interface InterviewCreate {
  role: string
  role_preset?: RolePreset | null
  seniority: Seniority
  language: Locale
  job_description?: string
  resume_text?: string
  num_questions: number
  consent_camera: boolean
  consent_voice: boolean
}

// --- interview plan (C3) ----------------------------------------------------------------------------------------
export interface PlanCompetency {
  id: string
  name: string
  weight: number
}

export interface PlanSlot {
  position: number
  kind: QuestionKind
  competency: string
  bank_id: string | null
}

/** What the interview covers: chosen at setup, stored with the interview, shown in the report. */
export interface InterviewPlan {
  version: string
  competencies: PlanCompetency[]
  slots: PlanSlot[]
  /** Set for a practice interview (issue 20): the weak or due competencies it targets, weakest first. */
  practice?: { focus: string[] } | null
}

export interface Interview {
  id: string
  role: string
  role_preset: RolePreset | null
  seniority: Seniority
  language: Locale
  num_questions: number
  consent_camera: boolean
  consent_voice: boolean
  status: InterviewStatus
  created_at: string
  overall_score: number | null // mean 1.0–5.0 over scored answers (C1)
}

export interface InterviewSummary {
  id: string
  role: string
  language: Locale
  status: InterviewStatus
  created_at: string
  overall_score: number | null
  num_questions: number
  answered: number
}

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

export interface Answer {
  id: string
  text: string
  source: AnswerSource
  revision: number
  started_at: string | null
  ended_at: string | null
  speech_metrics: Partial<SpeechMetrics> // {} for typed answers
}

export type Rubric = Record<RubricCriterion, number>

export interface Evaluation {
  status: EvaluationStatus
  overall_score: number | null
  rubric: Partial<Rubric> // {} until scored
  strengths: string[]
  improvements: string[]
  model_answer: string
  error: string | null // English, for logs; the UI shows `error_code` translated
  error_code: string | null // an EvaluationErrorCode; typed loosely so a newer server's code still renders
}

export interface Question {
  id: string
  position: number
  kind: QuestionKind
  source: QuestionSource
  competency: string | null
  text: string
  created_at: string
  answer: Answer | null
  evaluation: Evaluation | null
}

export interface InterviewDetail extends Interview {
  job_description: string
  resume_text: string
  plan: InterviewPlan | null // null for interviews created before plans
  questions: Question[]
}

export interface AnswerCreate {
  text: string
  source: AnswerSource
  started_at: string
  ended_at: string
}

export interface AnswerAccepted {
  id: string
  question_id: string
  revision: number
  speech_metrics: Partial<SpeechMetrics>
  evaluation_status: 'pending'
}

export interface FinishAccepted {
  status: InterviewStatus
}

// --- media ------------------------------------------------------------------------------------------------------
export interface IceServer {
  urls: string[]
  username?: string | null
  credential?: string | null
}

export interface MediaToken {
  token: string
  expires_at: string
  offer_url: string
  ice_servers: IceServer[]
  camera_analysis: boolean
}

export interface SdpOffer {
  sdp: string
  type: 'offer'
  token: string
}

export interface SdpAnswer {
  sdp: string
  type: string // always "answer"
}

// --- report -----------------------------------------------------------------------------------------------------
// Expression readings: practice feedback, never a hiring signal. Empty (samples 0) without camera consent.
export interface ExpressionSummary {
  samples: number
  face_samples: number
  face_present_ratio: number | null
  distribution: Record<string, number> // expression -> share of face samples
  mean_scores: Record<string, number | null>
  mean_confidence: number | null // mean probability of the dominant expression
  mean_detector_confidence: number | null
  dominant: string | null
}

export interface QuestionExpression extends ExpressionSummary {
  question_id: string | null
  position: number | null
  start_s: number | null
  end_s: number | null
}

export interface QuestionMark {
  question_id: string
  position: number
  t_s: number
}

export interface TranscriptSegment {
  text: string
  start_s: number
  end_s: number
  confidence: number | null
}

export interface KeyPoint {
  text: string
  covered: boolean
}

/** Behaviourally anchored rating scale of the question's competency: what a 1, 3 and 5 answer look like. */
export interface Anchors {
  competency: string
  name: string
  '1': string
  '3': string
  '5': string
}

export interface ReportQuestion {
  id: string
  position: number
  kind: QuestionKind
  source: QuestionSource
  competency: string | null
  key_points: KeyPoint[] // [] for a question without bank key points
  anchors: Anchors | null
  question: string
  answer: Answer | null
  evaluation: Evaluation | null
  speech_metrics: Partial<SpeechMetrics>
  transcript: TranscriptSegment[]
  expression: QuestionExpression | null
}

export interface TimelinePoint {
  t_s: number
  question_id: string | null
  face_found: boolean
  dominant: string | null
  score: number | null
}

export interface SpeakingSummary {
  avg_wpm: number | null
  avg_spm: number | null
  filler_count: number
  fillers: Record<string, number>
  long_pauses: number
}

export interface Report {
  status: ReportStatus
  error: string | null
  interview: Interview
  plan: InterviewPlan | null
  overall_score: number | null
  rubric: Partial<Rubric> // criterion -> mean 1..5 over scored answers
  summary: string
  strengths: string[]
  practice: string[]
  questions: ReportQuestion[]
  expression: ExpressionSummary
  expression_timeline: TimelinePoint[]
  question_marks: QuestionMark[]
  speaking: SpeakingSummary
  disclaimer: string
}

// --- models (C3) ----------------------------------------------------------------------------------------------
export interface ModelRole {
  model: string
  demo: boolean // served by the bundled small local model: say so, and how to connect a real one
}

export interface ModelsInfo {
  question: ModelRole
  evaluator: ModelRole
}

/** GET /api/evaluations/timing: median seconds from submitting an answer to its score (null until enough data). */
export interface ScoringTiming {
  p50_s: number | null
  samples: number
}

// --- health -----------------------------------------------------------------------------------------------------
export type HealthState = 'ok' | 'degraded' | 'down'
export interface Health {
  status: HealthState
  components: Record<string, Record<string, unknown>> // each has at least {status: HealthState}
}

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
export interface ProgressSession {
  interview_id: string
  started_at: string
  day: string // YYYY-MM-DD in the requested time zone
  score: number
  answers: number
}

/** SM-2 state of a competency (core/practice.py). */
export interface CompetencySchedule {
  repetitions: number
  ease: number
  interval_days: number
  last_reviewed_on: string
  due_on: string
  due: boolean
  overdue_days: number
}

export interface CompetencyProgress {
  competency: string
  name: string
  sessions: ProgressSession[] // oldest first
  latest: number
  recent: number
  change: number | null
  schedule: CompetencySchedule
}

export interface Progress {
  today: string
  timezone: string
  competencies: CompetencyProgress[] // weakest first
  due: string[]
  focus: string[]
  next_due_on: string | null
}

export interface PracticeCreate {
  num_questions?: number
  language?: Locale | null
  consent_voice?: boolean | null
  consent_camera?: boolean
  tz?: string
}
