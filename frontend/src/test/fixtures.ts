import type { Evaluation, InterviewDetail, Question, Report } from '../api/types'

export function makeInterview(overrides: Partial<InterviewDetail> = {}): InterviewDetail {
  return {
    id: 'iv1',
    role: 'Backend engineer',
    role_preset: 'backend',
    seniority: 'mid',
    language: 'en',
    num_questions: 2,
    consent_camera: false,
    consent_voice: false,
    status: 'active',
    created_at: '2026-11-24T10:00:00Z',
    overall_score: null,
    job_description: '',
    resume_text: '',
    plan: null,
    questions: [],
    ...overrides,
  }
}

export function makeQuestion(overrides: Partial<Question> = {}): Question {
  return {
    id: 'q1',
    position: 1,
    kind: 'opening',
    source: 'generated',
    competency: null,
    text: 'Tell me about yourself.',
    created_at: '2026-11-24T10:00:00Z',
    answer: null,
    evaluation: null,
    ...overrides,
  }
}

/** A finished report built to contract C3: a plan, a typed and a spoken answer, anchors, key points, a failure. */
export function makeReport(overrides: Partial<Report> = {}): Report {
  const speech = { words: 120, syllables: 0, duration_s: 52, wpm: 138, spm: null, fillers: { um: 3 }, filler_count: 3, long_pauses: 1 }
  const evaluation = (score: number): Evaluation => ({
    status: 'ready',
    overall_score: score,
    rubric: { relevance: score, depth: 3, structure: 4, clarity: 4, evidence: 3 },
    strengths: ['Clear trade-offs'],
    improvements: ['Quantify the load'],
    model_answer: 'Start from the requirements.',
    error: null,
    error_code: null,
  })
  const answer = (source: 'typed' | 'speech', metrics: object) => ({
    id: `a-${source}`,
    text: 'My answer.',
    source,
    revision: 1,
    started_at: null,
    ended_at: null,
    speech_metrics: metrics,
  })
  const base = { transcript: [], expression: null }
  return {
    status: 'ready',
    error: null,
    interview: { ...makeInterview({ status: 'finished', overall_score: 3.5, num_questions: 3 }) },
    plan: {
      version: 'v1',
      competencies: [
        { id: 'system_design', name: 'System design', weight: 3 },
        { id: 'motivation', name: 'Motivation', weight: 1 },
      ],
      slots: [
        { position: 1, kind: 'opening', competency: 'motivation', bank_id: 'general-en-001' },
        { position: 2, kind: 'technical', competency: 'system_design', bank_id: 'backend-en-004' },
        { position: 3, kind: 'behavioural', competency: 'collaboration', bank_id: 'general-en-007' },
      ],
    },
    overall_score: 3.5,
    rubric: { relevance: 3.5, depth: 3, structure: 4, clarity: 4, evidence: 3 },
    summary: 'Solid.',
    strengths: [],
    practice: [],
    questions: [
      {
        ...base,
        id: 'q1',
        position: 1,
        kind: 'opening',
        source: 'bank',
        competency: 'motivation',
        question: 'Why backend?',
        answer: answer('typed', {}),
        evaluation: evaluation(3),
        speech_metrics: {},
        key_points: [
          { text: 'A concrete motivation', covered: true },
          { text: 'Link to the role', covered: false },
        ],
        anchors: null,
      },
      {
        ...base,
        id: 'q2',
        position: 2,
        kind: 'technical',
        source: 'generated',
        competency: 'system_design',
        question: 'Design a payment retry service.',
        answer: answer('speech', speech),
        evaluation: evaluation(4),
        speech_metrics: speech,
        key_points: [{ text: 'Idempotency keys', covered: true }],
        anchors: {
          competency: 'system_design',
          name: 'System design',
          '1': 'Names parts without reasons.',
          '3': 'A workable design with some trade-offs.',
          '5': 'Drives the design from requirements.',
        },
      },
      {
        ...base,
        id: 'q3',
        position: 3,
        kind: 'behavioural',
        source: 'follow_up',
        competency: 'collaboration',
        question: 'A disagreement?',
        answer: answer('speech', speech),
        evaluation: {
          status: 'failed',
          overall_score: null,
          rubric: {},
          strengths: [],
          improvements: [],
          model_answer: '',
          error: 'evaluator output repeated the rubric text',
          error_code: 'degenerate',
        },
        speech_metrics: speech,
        key_points: [],
        anchors: null,
      },
    ],
    expression: {
      samples: 0,
      face_samples: 0,
      face_present_ratio: null,
      distribution: {},
      mean_scores: {},
      mean_confidence: null,
      mean_detector_confidence: null,
      dominant: null,
    },
    expression_timeline: [],
    question_marks: [],
    speaking: { avg_wpm: 138, avg_spm: null, filler_count: 6, fillers: { um: 6 }, long_pauses: 2 },
    disclaimer: '',
    ...overrides,
  }
}
