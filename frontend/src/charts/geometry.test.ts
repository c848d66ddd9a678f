import { describe, expect, it } from 'vitest'
import { formatMmSs, linePath, polarPoint, questionBands, questionSpans, radarPolygon, seriesPoints, timeTicks } from './geometry'

describe('chart geometry', () => {
  it('puts axis 0 at the top and scales radar values between min and max', () => {
    const c = { x: 100, y: 100 }
    const top = polarPoint(0, 5, 1, 50, c)
    expect(top.x).toBeCloseTo(100)
    expect(top.y).toBeCloseTo(50)
    const poly = radarPolygon([5, 1, null, 3, 9], 1, 5, 50, c)
    expect(poly[0].y).toBeCloseTo(50) // max → full radius
    expect(poly[1]).toEqual(c) // min → centre
    expect(poly[2]).toEqual(c) // missing → centre
    expect(Math.hypot(poly[3].x - 100, poly[3].y - 100)).toBeCloseTo(25)
    expect(Math.hypot(poly[4].x - 100, poly[4].y - 100)).toBeCloseTo(50) // clamped
  })

  it('lays out a time series inside the box with higher values higher up', () => {
    const box = { width: 200, height: 100, left: 10, right: 10, top: 10, bottom: 10 }
    const pts = seriesPoints(
      [
        { t: 0, value: 0 },
        { t: 10, value: 100 },
      ],
      box,
      0,
      100,
    )
    expect(pts).toEqual([
      { x: 10, y: 90 },
      { x: 190, y: 10 },
    ])
    expect(linePath(pts)).toBe('M10.0,90.0 L190.0,10.0')
    expect(seriesPoints([{ t: 5, value: 50 }], box, 0, 100)).toEqual([{ x: 100, y: 50 }])
  })

  it('groups timeline points into contiguous question spans', () => {
    const spans = questionSpans([
      { t_s: 4, question_id: 'b' },
      { t_s: 0, question_id: 'a' },
      { t_s: 2, question_id: 'a' },
      { t_s: 3, question_id: null },
      { t_s: 6, question_id: 'b' },
    ])
    expect(spans).toEqual([
      { questionId: 'a', start: 0, end: 2 },
      { questionId: 'b', start: 4, end: 6 },
    ])
  })

  it('labels a time axis in m:ss at round steps', () => {
    expect(formatMmSs(0)).toBe('0:00')
    expect(formatMmSs(95.4)).toBe('1:35')
    expect(timeTicks(300, 6)).toEqual([0, 60, 120, 180, 240, 300])
    expect(timeTicks(40, 6)).toEqual([0, 10, 20, 30, 40])
    expect(timeTicks(0)).toEqual([0])
  })

  it('bands the timeline by question from where each was shown, with the asking time before the first', () => {
    const marks = [
      { question_id: 'b', position: 2, t_s: 110 },
      { question_id: 'a', position: 1, t_s: 20 },
    ]
    expect(questionBands(marks, 0, 300)).toEqual([
      { questionId: null, position: null, start: 0, end: 20 },
      { questionId: 'a', position: 1, start: 20, end: 110 },
      { questionId: 'b', position: 2, start: 110, end: 300 },
    ])
    // without marks (older reports): the points' contiguous question spans
    expect(questionBands([], 0, 10, [{ t_s: 2, question_id: 'a' }, { t_s: 6, question_id: 'a' }])).toEqual([
      { questionId: 'a', position: null, start: 2, end: 6 },
    ])
  })
})
