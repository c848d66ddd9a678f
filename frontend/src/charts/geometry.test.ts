import { describe, expect, it } from 'vitest'
import { linePath, polarPoint, questionSpans, radarPolygon, seriesPoints } from './geometry'

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
})
