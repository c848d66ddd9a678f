import { useId } from 'react'
import type { TimelinePoint } from '../api/types'
import { useI18n } from '../i18n'
import { linePath, pointsAttr, polarPoint, questionSpans, radarPolygon, scaleLinear, seriesPoints, type Box } from './geometry'

const EMOTION_COLORS: Record<string, string> = {
  happy: '#7ee0a1',
  neutral: '#9fb4ff',
  surprise: '#ffd479',
  sad: '#7fc8ff',
  fear: '#d6a4ff',
  angry: '#ff8f8f',
  disgust: '#c6d67a',
}

export function emotionColor(emotion: string | null): string {
  return (emotion && EMOTION_COLORS[emotion]) || '#8a93b8'
}

export function RadarChart({
  axes,
  values,
  min = 1,
  max = 5,
  title,
}: {
  axes: string[]
  values: (number | null)[]
  min?: number
  max?: number
  title: string
}) {
  const { formatNumber } = useI18n()
  const size = 300
  const center = { x: size / 2, y: size / 2 }
  const radius = 100
  const polygon = radarPolygon(values, min, max, radius, center)
  const rings = Array.from({ length: max - min }, (_, i) => (i + 1) / (max - min))
  const summary = axes.map((axis, i) => `${axis} ${values[i] === null ? '–' : formatNumber(values[i] ?? 0, 1)}`)
  return (
    <figure className="chart radar-chart">
      {/* Horizontal margin: axis labels sit outside the web and can be long ("Evidence", "근거 제시"). */}
      <svg viewBox={`-70 0 ${size + 140} ${size}`} role="img" aria-label={`${title}: ${summary.join(', ')}`}>
        {rings.map((ratio) => (
          <polygon
            key={ratio}
            className="chart-grid"
            points={pointsAttr(axes.map((_, i) => polarPoint(i, axes.length, ratio, radius, center)))}
          />
        ))}
        {axes.map((axis, i) => {
          const end = polarPoint(i, axes.length, 1, radius, center)
          const label = polarPoint(i, axes.length, 1.28, radius, center)
          const anchor = Math.abs(label.x - center.x) < 4 ? 'middle' : label.x < center.x ? 'end' : 'start'
          return (
            <g key={axis}>
              <line className="chart-axis" x1={center.x} y1={center.y} x2={end.x} y2={end.y} />
              <text className="chart-label" x={label.x} y={label.y} textAnchor={anchor} dominantBaseline="middle">
                {axis}
              </text>
            </g>
          )
        })}
        <polygon className="radar-area" points={pointsAttr(polygon)} />
        {polygon.map((p, i) => (
          <circle key={axes[i]} className="radar-dot" cx={p.x} cy={p.y} r={4} />
        ))}
      </svg>
      <figcaption className="sr-only">{summary.join(', ')}</figcaption>
    </figure>
  )
}

export function ProgressChart({ points, title }: { points: { date: string; score: number }[]; title: string }) {
  const { formatDate, formatNumber } = useI18n()
  const gradientId = useId()
  const box: Box = { width: 560, height: 200, left: 36, right: 16, top: 16, bottom: 28 }
  const series = points
    .map((p) => ({ t: new Date(p.date).getTime(), value: p.score, date: p.date }))
    .filter((p) => !Number.isNaN(p.t))
    .sort((a, b) => a.t - b.t)
  const coords = seriesPoints(series, box, 0, 100)
  const y = scaleLinear([0, 100], [box.height - box.bottom, box.top])
  const area =
    coords.length > 1
      ? `${linePath(coords)} L${coords.at(-1)!.x},${box.height - box.bottom} L${coords[0].x},${box.height - box.bottom} Z`
      : ''
  return (
    <figure className="chart progress-chart">
      <svg
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-label={`${title}: ${series.map((s) => `${formatDate(s.date)} ${formatNumber(s.value)}`).join(', ')}`}
      >
        <defs>
          <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="var(--accent)" stopOpacity="0.45" />
            <stop offset="100%" stopColor="var(--accent)" stopOpacity="0" />
          </linearGradient>
        </defs>
        {[0, 25, 50, 75, 100].map((tick) => (
          <g key={tick}>
            <line className="chart-grid" x1={box.left} x2={box.width - box.right} y1={y(tick)} y2={y(tick)} />
            <text className="chart-tick" x={box.left - 8} y={y(tick)} textAnchor="end" dominantBaseline="middle">
              {tick}
            </text>
          </g>
        ))}
        {area && <path d={area} fill={`url(#${gradientId})`} />}
        {coords.length > 1 && <path className="chart-line" d={linePath(coords)} />}
        {coords.map((p, i) => (
          <circle key={series[i].date} className="chart-dot" cx={p.x} cy={p.y} r={4.5}>
            <title>{`${formatDate(series[i].date)} · ${formatNumber(series[i].value)}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  )
}

export function ExpressionTimeline({
  points,
  questionLabels,
  title,
  emotionLabel,
}: {
  points: TimelinePoint[]
  questionLabels: Record<string, string>
  title: string
  emotionLabel: (emotion: string | null) => string
}) {
  const box: Box = { width: 640, height: 150, left: 8, right: 8, top: 12, bottom: 44 }
  const sorted = [...points].sort((a, b) => a.t_s - b.t_s)
  if (sorted.length === 0) return null
  const t0 = sorted[0].t_s
  const t1 = Math.max(sorted.at(-1)!.t_s, t0 + 1)
  const x = scaleLinear([t0, t1], [box.left, box.width - box.right])
  const barTop = box.top
  const barHeight = box.height - box.top - box.bottom
  const y = scaleLinear([0, 1], [barTop + barHeight, barTop])
  const step = sorted.length > 1 ? (x(t1) - x(t0)) / (sorted.length - 1) : 12
  const spans = questionSpans(sorted)
  const emotions = [...new Set(sorted.filter((p) => p.face_found).map((p) => p.dominant ?? 'neutral'))]
  return (
    <figure className="chart timeline-chart">
      <svg viewBox={`0 0 ${box.width} ${box.height}`} role="img" aria-label={title}>
        {sorted.map((p, i) => {
          const height = p.face_found ? Math.max(0.15, p.score ?? 0.5) : 0.08
          return (
            <rect
              key={`${p.t_s}-${i}`}
              x={x(p.t_s) - Math.max(1.5, step * 0.4)}
              width={Math.max(3, step * 0.8)}
              y={y(height)}
              height={y(0) - y(height)}
              rx={1.5}
              fill={p.face_found ? emotionColor(p.dominant) : 'var(--muted-bar)'}
            >
              <title>{`${Math.round(p.t_s - t0)} s · ${p.face_found ? emotionLabel(p.dominant) : emotionLabel(null)}`}</title>
            </rect>
          )
        })}
        {spans.map((span, i) => (
          <g key={`${span.questionId}-${i}`} className="timeline-span">
            <line x1={x(span.start)} x2={x(span.start)} y1={barTop - 4} y2={box.height - 22} className="chart-axis" />
            <rect
              x={x(span.start)}
              y={box.height - 20}
              width={Math.max(6, x(span.end) - x(span.start))}
              height={14}
              rx={4}
              className="timeline-band"
            />
            <text x={x(span.start) + 4} y={box.height - 9} className="chart-tick">
              {questionLabels[span.questionId] ?? ''}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        {emotions.map((emotion) => (
          <span key={emotion} className="legend-item">
            <span className="legend-swatch" style={{ background: emotionColor(emotion) }} aria-hidden="true" />
            {emotionLabel(emotion)}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}

export function BarList({ items, title }: { items: { label: string; value: number }[]; title: string }) {
  const { formatNumber } = useI18n()
  const max = Math.max(1, ...items.map((i) => i.value))
  return (
    <ul className="bar-list" aria-label={title}>
      {items.map((item) => (
        <li key={item.label}>
          <span className="bar-label">{item.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${(item.value / max) * 100}%` }} />
          </span>
          <span className="bar-value">{formatNumber(item.value)}</span>
        </li>
      ))}
    </ul>
  )
}
