import type { InterviewDetail, Question } from '../api/types'

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
    questions: [],
    ...overrides,
  }
}

export function makeQuestion(overrides: Partial<Question> = {}): Question {
  return {
    id: 'q1',
    position: 1,
    kind: 'opening',
    text: 'Tell me about yourself.',
    created_at: '2026-11-24T10:00:00Z',
    answer: null,
    evaluation: null,
    ...overrides,
  }
}
