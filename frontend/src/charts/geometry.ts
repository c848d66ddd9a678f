// Chart geometry kept apart from rendering so it can be unit-tested. Hand-written SVG instead of a chart library:
// three small charts do not justify ~100 kB of dependency.

export interface Point {
  x: number
  y: number
}

/** Vertex of axis `index` of `count` axes at `ratio` (0..1) of `radius`; axis 0 points straight up. */
export function polarPoint(index: number, count: number, ratio: number, radius: number, center: Point): Point {
  const angle = (Math.PI * 2 * index) / count - Math.PI / 2
  return { x: center.x + Math.cos(angle) * radius * ratio, y: center.y + Math.sin(angle) * radius * ratio }
}

/** Radar polygon for values on a [min, max] scale; missing or out-of-range values are clamped. */
export function radarPolygon(values: (number | null)[], min: number, max: number, radius: number, center: Point) {
  return values.map((value, index) => {
    const ratio = value === null || Number.isNaN(value) ? 0 : Math.max(0, Math.min(1, (value - min) / (max - min)))
    return polarPoint(index, values.length, ratio, radius, center)
  })
}

export function pointsAttr(points: Point[]): string {
  return points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
}

export interface Box {
  width: number
  height: number
  left: number
  right: number
  top: number
  bottom: number
}

export function scaleLinear(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain
  const [r0, r1] = range
  const span = d1 - d0
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0))
}

/** Points of a time series in a box: x by time (evenly spaced if all equal), y by value on [yMin, yMax]. */
export function seriesPoints(values: { t: number; value: number }[], box: Box, yMin: number, yMax: number): Point[] {
  if (values.length === 0) return []
  const ts = values.map((v) => v.t)
  const x = scaleLinear([Math.min(...ts), Math.max(...ts)], [box.left, box.width - box.right])
  const y = scaleLinear([yMin, yMax], [box.height - box.bottom, box.top])
  if (values.length === 1) return [{ x: (box.left + box.width - box.right) / 2, y: y(values[0].value) }]
  return values.map((v) => ({ x: x(v.t), y: y(Math.max(yMin, Math.min(yMax, v.value))) }))
}

export function linePath(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
}

/** Contiguous spans of the same question along a timeline, for the question bands under the expression chart. */
export function questionSpans<T extends { t_s: number; question_id: string | null }>(points: T[]) {
  const spans: { questionId: string; start: number; end: number }[] = []
  for (const point of [...points].sort((a, b) => a.t_s - b.t_s)) {
    if (!point.question_id) continue
    const last = spans.at(-1)
    if (last && last.questionId === point.question_id) last.end = point.t_s
    else spans.push({ questionId: point.question_id, start: point.t_s, end: point.t_s })
  }
  return spans
}

/** "m:ss" for seconds on a time axis (0:00, 1:30, 12:05). */
export function formatMmSs(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

const TIME_STEPS_S = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]

/** Round tick positions (seconds) across [0, span] with at most `maxTicks` ticks. */
export function timeTicks(span: number, maxTicks = 6): number[] {
  if (!(span > 0)) return [0]
  const step = TIME_STEPS_S.find((s) => span / s <= maxTicks - 1) ?? Math.ceil(span / (maxTicks - 1) / 3600) * 3600
  const ticks: number[] = []
  for (let t = 0; t <= span + 1e-9; t += step) ticks.push(t)
  return ticks
}

export interface Band {
  /** null: before the first question was shown (the first question being asked). */
  questionId: string | null
  position: number | null
  start: number
  end: number
}

/**
 * Question bands along the timeline from where each question was shown (`marks`) to the next one, the last to
 * `end`; the time before the first question (while it streams in) is a band of its own. Without marks, falls back
 * to the contiguous spans of the points' question ids.
 */
export function questionBands(
  marks: { question_id: string; position: number; t_s: number }[],
  start: number,
  end: number,
  points: { t_s: number; question_id: string | null }[] = [],
): Band[] {
  const sorted = [...marks].sort((a, b) => a.t_s - b.t_s).filter((m) => m.t_s <= end)
  if (sorted.length === 0) {
    return questionSpans(points).map((s) => ({ questionId: s.questionId, position: null, start: s.start, end: s.end }))
  }
  const bands: Band[] = []
  if (sorted[0].t_s > start) bands.push({ questionId: null, position: null, start, end: sorted[0].t_s })
  sorted.forEach((mark, i) => {
    const next = sorted[i + 1]
    bands.push({
      questionId: mark.question_id,
      position: mark.position,
      start: Math.max(start, mark.t_s),
      end: next ? next.t_s : end,
    })
  })
  return bands.filter((b) => b.end > b.start)
}
