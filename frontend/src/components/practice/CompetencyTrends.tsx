import { SCORE_MAX, SCORE_MIN, type CompetencyProgress } from '../../api/types'
import { linePath, scaleLinear, seriesPoints, type Box } from '../../charts/geometry'
import { useWidth } from '../../charts/useWidth'
import { useI18n } from '../../i18n'
import { competencyName } from '../../lib/competency'
import { ScoreBadge } from '../ui'
import { formatDay } from './format'
import './practice.css'

const Y_TICKS = [1, 3, 5]

/** One competency's score per interview on the 1–5 scale, dated. Drawn at exactly its viewBox size in CSS pixels (not
 * stretched to a fractional panel width), so its 12 px labels are 12 px on screen. */
export function TrendSpark({ item, name }: { item: CompetencyProgress; name: string }) {
  const { t, locale, formatNumber } = useI18n()
  const [ref, width] = useWidth<HTMLElement>(260)
  const series = item.sessions.map((s) => ({ t: Date.parse(`${s.day}T00:00:00Z`), value: s.score, day: s.day }))
  const box: Box = { width, height: 116, left: 22, right: 14, top: 10, bottom: 26 }
  const coords = seriesPoints(series, box, SCORE_MIN, SCORE_MAX)
  const y = scaleLinear([SCORE_MIN, SCORE_MAX], [box.height - box.bottom, box.top])
  // Date ticks: the first and the last interview (and the middle one with room), never overlapping.
  const last = series.length - 1
  const middle = series.length > 2 && width > 300 ? [Math.floor(last / 2)] : []
  const ticks = [...new Set([0, ...middle, last])].filter((i) => i === 0 || series[i].day !== series[0].day)
  const anchorOf = (i: number) =>
    series.length === 1 ? 'middle' : i === 0 ? 'start' : i === last ? 'end' : ('middle' as const)
  const spoken = series.map((s) => `${formatDay(locale, s.day)} ${formatNumber(s.value, 1)}`).join(', ')
  return (
    <figure className="chart trend-spark" ref={ref}>
      <svg
        viewBox={`0 0 ${box.width} ${box.height}`}
        style={{ width: box.width, height: box.height }}
        role="img"
        aria-label={`${t('practice.chartLabel', { name })}: ${spoken}`}
      >
        {Y_TICKS.map((tick) => (
          <g key={tick}>
            <line className="chart-grid" x1={box.left} x2={box.width - box.right} y1={y(tick)} y2={y(tick)} />
            <text className="chart-tick" x={box.left - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle">
              {tick}
            </text>
          </g>
        ))}
        {ticks.map((i) => (
          <text key={i} className="chart-tick" x={coords[i].x} y={box.height - 6} textAnchor={anchorOf(i)}>
            {formatDay(locale, series[i].day)}
          </text>
        ))}
        {coords.length > 1 && <path className="chart-line" d={linePath(coords)} />}
        {coords.map((p, i) => (
          <circle key={`${series[i].day}-${i}`} className="chart-dot" cx={p.x} cy={p.y} r={4}>
            <title>{`${formatDay(locale, series[i].day, true)} · ${formatNumber(series[i].value, 1)} / ${SCORE_MAX}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  )
}

function Change({ value }: { value: number | null }) {
  const { t, formatNumber } = useI18n()
  if (value === null) return null
  const size = formatNumber(Math.abs(value), 1)
  if (value === 0) return <span className="trend-change">{t('practice.changeSame')}</span>
  const up = value > 0
  return (
    <span className={`trend-change ${up ? 'trend-up' : 'trend-down'}`}>
      <span aria-hidden="true">{up ? '▲' : '▼'} </span>
      {t(up ? 'practice.changeUp' : 'practice.changeDown', { value: size })}
    </span>
  )
}

function DueChip({ item }: { item: CompetencyProgress }) {
  const { t, locale } = useI18n()
  const { schedule } = item
  if (!schedule.due) {
    return <span className="chip trend-due">{t('practice.dueOn', { date: formatDay(locale, schedule.due_on) })}</span>
  }
  return (
    <span className="chip trend-due trend-due-now">
      {schedule.overdue_days > 0
        ? t('practice.overdue', { count: schedule.overdue_days })
        : t('practice.dueToday')}
    </span>
  )
}

/** Small multiples: one dated 1–5 trend per competency, weakest first, each with when it comes back (SM-2). */
export function CompetencyTrends({ items }: { items: CompetencyProgress[] }) {
  const { t } = useI18n()
  return (
    <ul className="trend-grid">
      {items.map((item) => {
        const name = competencyName(t, item.competency, null, item.name)
        return (
          <li key={item.competency} className="trend-card">
            <div className="trend-head">
              <h3>{name}</h3>
              <ScoreBadge score={item.latest} />
            </div>
            <TrendSpark item={item} name={name} />
            <div className="trend-foot">
              <span className="muted small">{t('practice.sessions', { count: item.sessions.length })}</span>
              <Change value={item.change} />
              <DueChip item={item} />
            </div>
          </li>
        )
      })}
    </ul>
  )
}
