import { describe, expect, it } from 'vitest'
import type { InterviewEvent, QuestionStreamEvent } from '../api/types'
import { makeInterview, makeQuestion } from '../test/fixtures'
import {
  answerText,
  capQuestion,
  initialRoomState,
  MAX_QUESTION_CHARS,
  reduceRoom,
  type RoomAction,
  type RoomState,
} from './interviewRoom'

const AT = '2026-11-24T10:00:00.000Z'

function run(state: RoomState, ...actions: RoomAction[]): RoomState {
  return actions.reduce(reduceRoom, state)
}
const stream = (event: QuestionStreamEvent): RoomAction => ({ type: 'stream', event, at: AT })
const ev = (event: Omit<InterviewEvent, 'id'>): RoomAction => ({
  type: 'event',
  event: { id: null, ...event } as InterviewEvent,
})

describe('interview room state machine', () => {
  it('starts idle for a fresh interview and streams a question token by token', () => {
    let s = run(initialRoomState, { type: 'loaded', interview: makeInterview(), at: AT })
    expect(s.phase).toBe('idle')
    s = reduceRoom(s, { type: 'ask' })
    expect(s.phase).toBe('thinking')
    s = run(s, stream({ event: 'started', data: { position: 1 } }))
    expect(s.phase).toBe('thinking') // still thinking until the first token
    s = run(s, stream({ event: 'token', data: { text: 'Tell me' } }))
    expect(s.phase).toBe('streaming')
    s = run(s, stream({ event: 'token', data: { text: ' about X.' } }))
    expect(s.draft.text).toBe('Tell me about X.')
    s = run(s, stream({ event: 'done', data: { question_id: 'q1', position: 1, kind: 'opening', text: 'Tell me about X.' } }))
    expect(s.phase).toBe('answering')
    expect(s.currentQuestionId).toBe('q1')
    expect(s.answerStartedAt).toBe(AT)
    expect(s.questions).toHaveLength(1)
  })

  it('resumes an unanswered question after a reload, and honours voice consent for the answer mode', () => {
    const s = run(initialRoomState, {
      type: 'loaded',
      interview: makeInterview({ consent_voice: true, questions: [makeQuestion()] }),
      at: AT,
    })
    expect(s.phase).toBe('answering')
    expect(s.currentQuestionId).toBe('q1')
    expect(s.mode).toBe('speech')
  })

  it('is complete when every question was asked and answered, finished when the interview is not active', () => {
    const answered = makeQuestion({
      answer: { id: 'a1', text: 'x', source: 'typed', revision: 1, speech_metrics: {}, started_at: null, ended_at: null },
      evaluation: null,
    })
    const one = makeInterview({ num_questions: 1, questions: [answered] })
    expect(run(initialRoomState, { type: 'loaded', interview: one, at: AT }).phase).toBe('complete')
    const done = makeInterview({ status: 'finished', questions: [answered] })
    expect(run(initialRoomState, { type: 'loaded', interview: done, at: AT }).phase).toBe('finished')
  })

  it('returns to idle with a retryable error when the model fails, and completes on no_more_questions', () => {
    const loaded = run(initialRoomState, { type: 'loaded', interview: makeInterview(), at: AT }, { type: 'ask' })
    const failed = run(loaded, stream({ event: 'error', data: { code: 'model_timeout', message: 'slow' } }))
    expect(failed.phase).toBe('idle')
    expect(failed.error).toMatchObject({ scope: 'question', code: 'model_timeout' })
    expect(reduceRoom(failed, { type: 'ask' }).error).toBeNull()
    const none = run(loaded, stream({ event: 'error', data: { code: 'no_more_questions', message: '' } }))
    expect(none.phase).toBe('complete')
    const cut = run(loaded, { type: 'stream_failed', message: 'cut', code: 'network' })
    expect(cut.phase).toBe('idle')
  })

  it('ignores stream events that arrive when no question was requested', () => {
    const s = run(initialRoomState, { type: 'loaded', interview: makeInterview(), at: AT })
    expect(run(s, stream({ event: 'token', data: { text: 'late' } }))).toBe(s)
  })

  it('submits an answer, tracks evaluation live and completes the interview', () => {
    let s = run(
      initialRoomState,
      { type: 'loaded', interview: makeInterview({ num_questions: 1 }), at: AT },
      { type: 'ask' },
      stream({ event: 'done', data: { question_id: 'q1', position: 1, kind: 'opening', text: 'Q?' } }),
      { type: 'submit' },
    )
    expect(s.phase).toBe('submitting')
    s = reduceRoom(s, {
      type: 'submitted',
      accepted: { id: 'a1', question_id: 'q1', revision: 1, speech_metrics: {}, evaluation_status: 'pending' },
    })
    expect(s.phase).toBe('complete')
    expect(s.questions[0].evaluation).toEqual({ status: 'pending', retrying: false })
    s = run(s, ev({ type: 'evaluation.failed', data: { interview_id: 'iv1', question_id: 'q1', answer_id: 'a1', reason: 'timeout', final: false } }))
    expect(s.questions[0].evaluation).toEqual({ status: 'pending', retrying: true })
    s = run(s, ev({ type: 'evaluation.ready', data: { interview_id: 'iv1', question_id: 'q1', answer_id: 'a1', overall_score: 78 } }))
    expect(s.questions[0].evaluation).toEqual({ status: 'ready', score: 78 })
    s = run(s, { type: 'finish' })
    expect(s.phase).toBe('finishing')
    s = run(s, { type: 'finish_failed', message: 'boom' })
    expect(s.phase).toBe('complete')
    expect(s.error?.scope).toBe('finish')
  })

  it('keeps the answer when submitting fails', () => {
    const s = run(
      initialRoomState,
      { type: 'loaded', interview: makeInterview({ questions: [makeQuestion()] }), at: AT },
      { type: 'submit' },
      { type: 'submit_failed', message: 'Server error' },
    )
    expect(s.phase).toBe('answering')
    expect(s.currentQuestionId).toBe('q1')
    expect(s.error).toMatchObject({ scope: 'answer' })
  })

  it('assembles the live transcript for the current question and uses it as the spoken answer', () => {
    let s = run(initialRoomState, {
      type: 'loaded',
      interview: makeInterview({ consent_voice: true, questions: [makeQuestion()] }),
      at: AT,
    })
    const base = { interview_id: 'iv1', question_id: 'q1' }
    s = run(
      s,
      ev({ type: 'transcript.partial', data: { ...base, text: 'I built', start_s: 0, end_s: 1 } }),
      ev({ type: 'transcript.final', data: { ...base, text: 'I built a queue.', start_s: 0, end_s: 2, segment_id: 'a' } }),
      // speech the server could not attribute lands on the question being answered
      ev({ type: 'transcript.partial', data: { ...base, question_id: null, text: 'It scaled', start_s: 2.5, end_s: 3 } }),
    )
    expect(s.transcripts.q1.finals).toHaveLength(1)
    expect(answerText(s, 'ignored')).toBe('I built a queue. It scaled')
    expect(answerText(reduceRoom(s, { type: 'set_mode', mode: 'typed' }), '  typed  ')).toBe('typed')
  })

  it('shows expression samples only with camera consent', () => {
    const sample = ev({
      type: 'expression.sample',
      data: {
        interview_id: 'iv1',
        question_id: 'q1',
        captured_at: AT,
        face_found: true,
        dominant: 'happy',
        confidence: 0.8,
        scores: { happy: 0.8 },
      },
    })
    const without = run(initialRoomState, { type: 'loaded', interview: makeInterview(), at: AT }, sample)
    expect(without.expression).toBeNull()
    const withConsent = run(
      initialRoomState,
      { type: 'loaded', interview: makeInterview({ consent_camera: true }), at: AT },
      sample,
    )
    expect(withConsent.expression).toEqual({ faceFound: true, dominant: 'happy', confidence: 0.8 })
  })

  it('raises and clears service problems from service.status', () => {
    let s = run(initialRoomState, { type: 'loaded', interview: makeInterview(), at: AT })
    s = run(s, ev({ type: 'service.status', data: { interview_id: 'iv1', service: 'stt', state: 'down', message: 'no model' } }))
    expect(s.services.stt).toEqual({ state: 'down', message: 'no model' })
    s = run(s, ev({ type: 'service.status', data: { interview_id: 'iv1', service: 'stt', state: 'ok', message: '' } }))
    expect(s.services.stt).toBeUndefined()
  })

  it('caps a rambling question: the draft stops growing and the shown text ends in an ellipsis', () => {
    let s = run(initialRoomState, { type: 'loaded', interview: makeInterview(), at: AT }, { type: 'ask' })
    const word = 'blah '
    for (let i = 0; i < 400; i++) s = run(s, stream({ event: 'token', data: { text: word } }))
    expect(s.draft.text.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS + word.length)
    const shown = capQuestion(s.draft.text)
    expect(shown.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS + 1)
    expect(shown.endsWith('…')).toBe(true)
    expect(capQuestion('Short question?')).toBe('Short question?')
  })

  it('marks a pending evaluation slow, from the client timer or the server’s timeout retry, and keeps the code', () => {
    const answered = makeQuestion({
      answer: { id: 'a1', text: 'x', source: 'typed', revision: 1, started_at: null, ended_at: null, speech_metrics: {} },
    })
    let s = run(initialRoomState, { type: 'loaded', interview: makeInterview({ questions: [answered] }), at: AT })
    expect(s.questions[0].evaluation).toEqual({ status: 'pending', retrying: false })
    s = run(s, { type: 'evaluation_slow', questionId: 'q1' })
    expect(s.questions[0].evaluation).toMatchObject({ status: 'pending', slow: true })
    const failed = (final: boolean) =>
      ev({
        type: 'evaluation.failed',
        data: { interview_id: 'iv1', question_id: 'q1', answer_id: 'a1', reason: 'timed out', final, error_code: 'timeout' },
      })
    s = run(initialRoomState, { type: 'loaded', interview: makeInterview({ questions: [answered] }), at: AT }, failed(false))
    expect(s.questions[0].evaluation).toEqual({ status: 'pending', retrying: true, slow: true })
    s = run(s, failed(true))
    expect(s.questions[0].evaluation).toEqual({ status: 'failed', reason: 'timed out', code: 'timeout' })
  })

  it('applies service.status as the server sends it (its data carries its own `type`), never losing the state', () => {
    let s = run(initialRoomState, { type: 'loaded', interview: makeInterview(), at: AT })
    const data = { type: 'service.status', interview_id: 'iv1', service: 'media', state: 'degraded', message: 'slow' }
    s = run(s, { type: 'event', event: { type: 'service.status', id: '1-0', data } as unknown as InterviewEvent })
    expect(s.services.media).toEqual({ state: 'degraded', message: 'slow' })
    expect(s.phase).toBe('idle')
    // an unknown action leaves the state as it was
    expect(reduceRoom(s, { type: 'no.such.action' } as unknown as RoomAction)).toBe(s)
  })
})
