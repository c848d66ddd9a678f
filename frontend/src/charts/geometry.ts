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
