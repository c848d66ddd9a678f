import { describe, expect, it } from 'vitest'
import { applyFinal, applyPartial, EMPTY_TRANSCRIPT, finalText, fullText } from './transcript'

describe('transcript assembly', () => {
  it('replaces partials and appends finals', () => {
    let t = applyPartial(EMPTY_TRANSCRIPT, { text: 'I led', start_s: 0, end_s: 0.8 })
    t = applyPartial(t, { text: 'I led a team', start_s: 0, end_s: 1.5 })
    expect(fullText(t)).toBe('I led a team')
    t = applyFinal(t, { text: 'I led a team of five.', start_s: 0, end_s: 2, segment_id: 's1' })
    expect(t.partial).toBeNull()
    t = applyPartial(t, { text: 'We shipped', start_s: 2.4, end_s: 3 })
    expect(finalText(t)).toBe('I led a team of five.')
    expect(fullText(t)).toBe('I led a team of five. We shipped')
  })

  it('ignores duplicated finals (replay after an SSE reconnect)', () => {
    const final = { text: 'Hello.', start_s: 0, end_s: 1, segment_id: 'a' }
    const once = applyFinal(EMPTY_TRANSCRIPT, final)
    expect(applyFinal(once, final)).toBe(once)
    const noId = applyFinal(EMPTY_TRANSCRIPT, { text: 'Hi', start_s: 3, end_s: 4 })
    expect(applyFinal(noId, { text: 'Hi', start_s: 3, end_s: 4 }).finals).toHaveLength(1)
  })

  it('orders finals by start time even if they arrive out of order', () => {
    let t = applyFinal(EMPTY_TRANSCRIPT, { text: 'second', start_s: 5, end_s: 6, segment_id: '2' })
    t = applyFinal(t, { text: 'first', start_s: 1, end_s: 2, segment_id: '1' })
    expect(finalText(t)).toBe('first second')
  })

  it('drops a stale partial that covers already-finalized audio', () => {
    const t = applyFinal(EMPTY_TRANSCRIPT, { text: 'Done.', start_s: 0, end_s: 2, segment_id: '1' })
    expect(applyPartial(t, { text: 'Do', start_s: 0, end_s: 1 })).toBe(t)
  })

  it('keeps a later partial when an earlier final arrives, and normalises whitespace', () => {
    let t = applyPartial(EMPTY_TRANSCRIPT, { text: '  next  bit ', start_s: 4, end_s: 5 })
    t = applyFinal(t, { text: ' first   part ', start_s: 0, end_s: 3, segment_id: 'x' })
    expect(t.partial?.text).toBe('next  bit')
    expect(fullText(t)).toBe('first part next bit')
  })

  it('joins Korean segments with spaces', () => {
    let t = applyFinal(EMPTY_TRANSCRIPT, { text: '저는 팀을', start_s: 0, end_s: 1, segment_id: '1' })
    t = applyFinal(t, { text: '이끌었습니다.', start_s: 1, end_s: 2, segment_id: '2' })
    expect(finalText(t)).toBe('저는 팀을 이끌었습니다.')
  })
})
