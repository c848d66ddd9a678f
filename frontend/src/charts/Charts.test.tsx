import { render } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { TimelinePoint } from '../api/types'
import { I18nProvider } from '../i18n'
import { ExpressionTimeline, RadarChart } from './Charts'

const points: TimelinePoint[] = Array.from({ length: 75 }, (_, i) => ({
  t_s: i * 4,
  question_id: i * 4 < 20 ? null : i * 4 < 110 ? 'q1' : i * 4 < 210 ? 'q2' : 'q3',
  face_found: true,
  dominant: 'neutral',
  score: 0.7,
}))
const marks = [
  { question_id: 'q1', position: 1, t_s: 20 },
  { question_id: 'q2', position: 2, t_s: 110 },
  { question_id: 'q3', position: 3, t_s: 210 },
]

describe('charts', () => {
  it('draws the expression timeline with an m:ss axis and a label for every band, the last one inside the chart', () => {
    const { container } = render(
      <I18nProvider locale="en">
        <ExpressionTimeline points={points} marks={marks} title="Expression" emotionLabel={(e) => e ?? 'none'} />
      </I18nProvider>,
    )
    const svg = container.querySelector('svg')!
    const width = Number(svg.getAttribute('viewBox')!.split(' ')[2])
    const texts = [...svg.querySelectorAll('text')]
    const labels = texts.map((t) => t.textContent)
    // the 20 s before Q1 (it being asked) is too narrow for its word here: it gets the short mark
    expect(labels).toEqual(expect.arrayContaining(['0:00', '1:00', '4:00', 'Ask', 'Question 1', 'Question 2', 'Question 3']))
    const last = texts.find((t) => t.textContent === 'Question 3')!
    // ~7.5 px per character at 12 px: the label ends before the right edge
    expect(Number(last.getAttribute('x')) + 'Question 3'.length * 7.5).toBeLessThan(width)
  })

  it('draws the radar at 1:1 on the 1–5 scale with each axis value beside its label', () => {
    const { container } = render(
      <I18nProvider locale="en">
        <RadarChart axes={['Depth', 'Clarity', 'Evidence']} values={[3.4, 5, null]} title="Rubric" />
      </I18nProvider>,
    )
    const figure = container.querySelector('figure')!
    const viewBoxWidth = Number(container.querySelector('svg')!.getAttribute('viewBox')!.split(' ')[2])
    expect(figure.style.maxWidth).toBe(`${viewBoxWidth}px`) // never drawn larger than 1:1; labels stay ≥ 12 px
    const labels = [...container.querySelectorAll('text')].map((t) => t.textContent)
    expect(labels).toEqual(expect.arrayContaining(['1', '5', 'Depth3.4', 'Clarity5', 'Evidence–']))
    expect(container.querySelector('svg')!.getAttribute('aria-label')).toBe('Rubric: Depth 3.4 / 5, Clarity 5 / 5, Evidence – / 5')
  })
})
