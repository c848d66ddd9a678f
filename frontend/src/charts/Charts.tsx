import { useId } from 'react'
import { SCORE_MAX, SCORE_MIN, type QuestionMark, type TimelinePoint } from '../api/types'
import { ScoreBadge } from '../components/ui'
import { useI18n } from '../i18n'
import {
  formatMmSs,
  linePath,
  pointsAttr,
  polarPoint,
  questionBands,
  radarPolygon,
  scaleLinear,
  seriesPoints,
  timeTicks,
  type Band,
  type Box,
} from './geometry'
import { useWidth } from './useWidth'

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

/** Radar of 1–5 rubric means. Drawn at 1:1 (viewBox = CSS max width) so its 13 px labels read as 13 px. */
export function RadarChart({
  axes,
  values,
  min = SCORE_MIN,
  max = SCORE_MAX,
  title,
}: {
  axes: string[]
  values: (number | null)[]
  min?: number
  max?: number
  title: string
}) {
  const { formatNumber } = useI18n()
  const width = 460
  const height = 330
  const center = { x: width / 2, y: height / 2 + 4 }
  const radius = 115
  const polygon = radarPolygon(values, min, max, radius, center)
  const levels = Array.from({ length: max - min + 1 }, (_, i) => min + i)
  const valueText = (v: number | null) => (v === null ? '–' : formatNumber(v, 1))
  const summary = axes.map((axis, i) => `${axis} ${valueText(values[i] ?? null)} / ${max}`)
  return (
    <figure className="chart radar-chart" style={{ maxWidth: width }}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: ${summary.join(', ')}`}>
        {levels.slice(1).map((level) => (
          <polygon
            key={level}
            className="chart-grid"
            points={pointsAttr(axes.map((_, i) => polarPoint(i, axes.length, (level - min) / (max - min), radius, center)))}
          />
        ))}
        {levels.map((level) => {
          const p = polarPoint(0, axes.length, (level - min) / (max - min), radius, center)
          return (
            <text key={level} className="chart-tick" x={p.x + 6} y={p.y} dominantBaseline="middle">
              {level}
            </text>
          )
        })}
        {axes.map((axis, i) => {
          const end = polarPoint(i, axes.length, 1, radius, center)
          const label = polarPoint(i, axes.length, 1.16, radius, center)
          const anchor = Math.abs(label.x - center.x) < 4 ? 'middle' : label.x < center.x ? 'end' : 'start'
          // Labels above the centre grow upwards, below it downwards, so none overlaps the web.
          const above = label.y < center.y - 4
          return (
            <g key={axis}>
              <line className="chart-axis" x1={center.x} y1={center.y} x2={end.x} y2={end.y} />
              <text className="chart-label" x={label.x} y={above ? label.y - 16 : label.y + 2} textAnchor={anchor}>
                <tspan x={label.x} dy="0.8em">
                  {axis}
                </tspan>
                <tspan x={label.x} dy="1.2em" className="chart-value">
                  {valueText(values[i] ?? null)}
                </tspan>
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

/**
 * Overall score per interview over time, on the one 1–5 scale with dated ticks. One interview is not a trend: it
 * is shown as a compact stat instead of a lone point in an empty box.
 */
export function ProgressChart({ points, title }: { points: { date: string; score: number }[]; title: string }) {
  const { t, formatDate, formatNumber, locale } = useI18n()
  const gradientId = useId()
  const [ref, width] = useWidth<HTMLElement>(560)
  const series = points
    .map((p) => ({ t: new Date(p.date).getTime(), value: p.score, date: p.date }))
    .filter((p) => !Number.isNaN(p.t))
    .sort((a, b) => a.t - b.t)
  if (series.length === 0) return null
  if (series.length === 1) {
    return (
      <p className="progress-single">
        <ScoreBadge score={series[0].value} className="stat-big" />{' '}
        <span className="muted">
          {t('home.singleResult', { score: formatNumber(series[0].value, 1), date: formatDate(series[0].date) })}
        </span>
      </p>
    )
  }
  const box: Box = { width, height: 180, left: 30, right: 16, top: 14, bottom: 30 }
  const coords = seriesPoints(series, box, SCORE_MIN, SCORE_MAX)
  const y = scaleLinear([SCORE_MIN, SCORE_MAX], [box.height - box.bottom, box.top])
  const day = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-US', { month: 'short', day: 'numeric' })
  // Date ticks: first, last and (with room) the middle interview, so labels never collide.
  const tickIndexes = [...new Set([0, ...(series.length > 2 && width > 420 ? [Math.floor((series.length - 1) / 2)] : []), series.length - 1])]
  const area = `${linePath(coords)} L${coords.at(-1)!.x},${box.height - box.bottom} L${coords[0].x},${box.height - box.bottom} Z`
  return (
    <figure className="chart progress-chart" ref={ref}>
      <svg
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-label={`${title} (${t('chart.progressLabel')}): ${series.map((s) => `${formatDate(s.date)} ${formatNumber(s.value, 1)}`).join(', ')}`}
      >
        <defs>
          <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="var(--accent)" stopOpacity="0.45" />
            <stop offset="100%" stopColor="var(--accent)" stopOpacity="0" />
          </linearGradient>
        </defs>
        {[1, 2, 3, 4, 5].map((tick) => (
          <g key={tick}>
            <line className="chart-grid" x1={box.left} x2={box.width - box.right} y1={y(tick)} y2={y(tick)} />
            <text className="chart-tick" x={box.left - 8} y={y(tick)} textAnchor="end" dominantBaseline="middle">
              {tick}
            </text>
          </g>
        ))}
        {tickIndexes.map((i, n) => (
          <text
            key={series[i].date}
            className="chart-tick"
            x={coords[i].x}
            y={box.height - 8}
            textAnchor={n === 0 ? 'start' : n === tickIndexes.length - 1 ? 'end' : 'middle'}
          >
            {day.format(new Date(series[i].t))}
          </text>
        ))}
        <path d={area} fill={`url(#${gradientId})`} />
        <path className="chart-line" d={linePath(coords)} />
        {coords.map((p, i) => (
          <circle key={series[i].date} className="chart-dot" cx={p.x} cy={p.y} r={4.5}>
            <title>{`${formatDate(series[i].date)} · ${formatNumber(series[i].value, 1)} / ${SCORE_MAX}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  )
}

/**
 * Expression samples along the interview with a mm:ss time axis and a labelled band per question (from where it
 * was shown to the next one; the time before the first question, while it is being asked, has its own band).
 * The viewBox follows the rendered width, so text is drawn at its real size and labels are kept inside the box.
 */
export function ExpressionTimeline({
  points,
  marks = [],
  title,
  emotionLabel,
}: {
  points: TimelinePoint[]
  marks?: QuestionMark[]
  title: string
  emotionLabel: (emotion: string | null) => string
}) {
  const { t } = useI18n()
  const [ref, width] = useWidth<HTMLElement>(640)
  const sorted = [...points].sort((a, b) => a.t_s - b.t_s)
  if (sorted.length === 0) return null
  const box: Box = { width, height: 176, left: 10, right: 10, top: 10, bottom: 62 }
  const t0 = Math.min(0, sorted[0].t_s)
  const t1 = Math.max(sorted.at(-1)!.t_s, ...marks.map((m) => m.t_s), t0 + 1)
  const x = scaleLinear([t0, t1], [box.left, box.width - box.right])
  const barTop = box.top
  const barBottom = box.height - box.bottom
  const y = scaleLinear([0, 1], [barBottom, barTop])
  const step = sorted.length > 1 ? (x(t1) - x(t0)) / sorted.length : 12
  const bands = questionBands(marks, t0, t1, sorted)
  const ticks = timeTicks(t1 - t0, Math.max(2, Math.floor(width / 90)))
  const emotions = [...new Set(sorted.filter((p) => p.face_found).map((p) => p.dominant ?? 'neutral'))]
  const bandY = barBottom + 22
  const bandLabel = (band: Band, room: number) => {
    const full = band.position === null ? t('chart.beforeFirst') : t('chart.questionBand', { n: band.position })
    const short = band.position === null ? t('chart.beforeFirstShort') : `Q${band.position}`
    return room >= full.length * 7.5 + 10 ? full : room >= short.length * 7.5 + 6 ? short : ''
  }
  return (
    <figure className="chart timeline-chart" ref={ref}>
      <svg viewBox={`0 0 ${box.width} ${box.height}`} role="img" aria-label={`${title}. ${t('chart.time')}`}>
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
              <title>{`${formatMmSs(p.t_s - t0)} · ${p.face_found ? emotionLabel(p.dominant) : emotionLabel(null)}`}</title>
            </rect>
          )
        })}
        <line className="chart-axis" x1={box.left} x2={box.width - box.right} y1={barBottom + 0.5} y2={barBottom + 0.5} />
        {ticks.map((tick, i) => {
          const tx = x(t0 + tick)
          const anchor = i === 0 ? 'start' : tx > box.width - box.right - 20 ? 'end' : 'middle'
          return (
            <g key={tick}>
              <line className="chart-axis" x1={tx} x2={tx} y1={barBottom} y2={barBottom + 4} />
              <text className="chart-tick" x={tx} y={barBottom + 16} textAnchor={anchor}>
                {formatMmSs(tick)}
              </text>
            </g>
          )
        })}
        {bands.map((band, i) => {
          const bx = x(band.start)
          const bw = Math.max(2, x(band.end) - bx - 2)
          const label = bandLabel(band, bw)
          return (
            <g key={`${band.questionId ?? 'start'}-${i}`} className="timeline-span">
              <line x1={bx} x2={bx} y1={barTop - 4} y2={bandY} className="chart-axis" />
              <rect
                x={bx}
                y={bandY}
                width={bw}
                height={22}
                rx={5}
                className={band.questionId ? 'timeline-band' : 'timeline-band timeline-band-asking'}
              >
                <title>
                  {`${band.position === null ? t('chart.beforeFirst') : t('chart.questionBand', { n: band.position })} · ${formatMmSs(band.start - t0)}–${formatMmSs(band.end - t0)}`}
                </title>
              </rect>
              {label && (
                // bandLabel only returns text that fits the band, so no label runs past the chart's edge
                <text x={bx + 6} y={bandY + 15} className="chart-tick band-label">
                  {label}
                </text>
              )}
            </g>
          )
        })}
      </svg>
      <figcaption className="legend">
        {emotions.map((emotion) => (
          <span key={emotion} className="legend-item">
            <span className="legend-swatch" style={{ background: emotionColor(emotion) }} aria-hidden="true" />
            {emotionLabel(emotion)}
          </span>
        ))}
        <span className="legend-item muted">{t('chart.time')}</span>
      </figcaption>
    </figure>
  )
}

export function BarList({
  items,
  title,
  format,
}: {
  items: { label: string; value: number }[]
  title: string
  format?: (value: number) => string
}) {
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
          <span className="bar-value">{format ? format(item.value) : formatNumber(item.value)}</span>
        </li>
      ))}
    </ul>
  )
}
