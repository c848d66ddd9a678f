import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CompetencyProgress, Progress } from '../../api/types'
import { I18nProvider } from '../../i18n'
import { requestOf } from '../../test/http'
import { TestProviders } from '../../test/providers'
import { formatDay } from './format'
import { PracticeSection } from './PracticeSection'

const competency = (id: string, scores: [string, number][], schedule: Partial<CompetencyProgress['schedule']> = {}) => {
  const sessions = scores.map(([day, score], i) => ({
    interview_id: `iv-${id}-${i}`,
    started_at: `${day}T10:00:00Z`,
    day,
    score,
    answers: 1,
  }))
  const last = sessions.at(-1)!
  return {
    competency: id,
    name: id,
    sessions,
    latest: last.score,
    recent: last.score,
    change: sessions.length > 1 ? last.score - sessions.at(-2)!.score : null,
    schedule: {
      repetitions: 0,
      ease: 2.2,
      interval_days: 1,
      last_reviewed_on: last.day,
      due_on: '2026-11-25',
      due: true,
      overdue_days: 0,
      ...schedule,
    },
  } satisfies CompetencyProgress
}

const PROGRESS: Progress = {
  today: '2026-11-25',
  timezone: 'Asia/Seoul',
  competencies: [
    competency('system_design', [
      ['2026-11-20', 2],
      ['2026-11-22', 3],
      ['2026-11-24', 1.5],
    ]),
    competency('collaboration', [['2026-11-24', 4]], { due: false, due_on: '2026-11-30', repetitions: 1 }),
  ],
  due: ['system_design'],
  focus: ['system_design'],
  next_due_on: '2026-11-25',
}

type Sent = Awaited<ReturnType<typeof requestOf>>
type Handler = (request: Sent) => Response | Promise<Response>

/** Stubs fetch with `handler` and keeps what was asked for, in order. */
function serve(handler: Handler) {
  const sent: Sent[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = await requestOf(input, init)
      sent.push(request)
      return handler(request)
    }),
  )
  return sent
}

function renderSection(locale: 'en' | 'ko' = 'en') {
  return render(
    <TestProviders>
      <I18nProvider locale={locale}>
        <PracticeSection />
      </I18nProvider>
    </TestProviders>,
  )
}

describe('PracticeSection', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    window.history.replaceState(null, '', '/')
  })

  it('asks for progress in the browser time zone and draws a dated 1–5 trend per competency, weakest first', async () => {
    const sent = serve(() => Response.json(PROGRESS))
    renderSection()
    await screen.findByRole('heading', { name: 'Competencies over time' })
    const trendCards = [...document.querySelectorAll<HTMLElement>('.trend-card')]
    expect(trendCards.map((c) => within(c).getByRole('heading').textContent)).toEqual(['System design', 'Collaboration'])
    expect(sent[0].key).toBe('GET /api/progress')
    const query = new URL(sent[0].request.url).searchParams
    expect(query.get('tz')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone)

    const design = trendCards[0]
    const svg = design.querySelector('svg')!
    expect(svg.getAttribute('aria-label')).toBe(
      'System design: score per interview, 1–5: Nov 20 2, Nov 22 3, Nov 24 1.5',
    )
    // Axis labels: the 1–5 scale and the first and last interview's date, all in the 12 px tick style.
    const labels = [...svg.querySelectorAll('text')]
    expect(labels.map((t) => t.textContent)).toEqual(expect.arrayContaining(['1', '3', '5', 'Nov 20', 'Nov 24']))
    expect(labels.every((t) => t.classList.contains('chart-tick'))).toBe(true)
    expect(svg.querySelectorAll('circle')).toHaveLength(3)
    expect(svg.querySelector('path.chart-line')).not.toBeNull()
    expect(within(design).getByText(/down 1.5 since the previous interview/)).toBeTruthy()
    expect(within(design).getByText('Due today')).toBeTruthy()
    expect(within(design).getByText('3 interviews')).toBeTruthy()

    // One interview: a single dated point, no line; not due until its date.
    const collaboration = trendCards[1]
    expect(collaboration.querySelector('path.chart-line')).toBeNull()
    expect(within(collaboration).getByText('Next practice: Nov 30')).toBeTruthy()
    expect(within(collaboration).getByText('1 interview')).toBeTruthy()

    expect(screen.getByRole('heading', { name: 'Due today' })).toBeTruthy()
    expect(screen.getByText('System design · 1.5 / 5')).toBeTruthy()
    expect(screen.getByText('A 5-question practice interview on System design.')).toBeTruthy()
  })

  it('starts a practice interview on the due competencies and opens its room', async () => {
    const sent = serve(({ key }) =>
      key === 'POST /api/progress/practice' ? Response.json({ id: 'practice-1' }, { status: 201 }) : Response.json(PROGRESS),
    )
    renderSection()
    const button = await screen.findByRole('button', { name: 'Practise my weak areas' })
    fireEvent.click(button)
    await waitFor(() => expect(window.location.pathname).toBe('/interviews/practice-1'))
    const { body } = sent.find(({ key }) => key === 'POST /api/progress/practice')!
    expect(body).toEqual({ num_questions: 5, tz: Intl.DateTimeFormat().resolvedOptions().timeZone })
  })

  it('says when nothing is due, still offers the weakest, and translates a refusal (Korean)', async () => {
    serve(({ key }) =>
      key === 'POST /api/progress/practice'
        ? Response.json({ detail: 'no scored answers yet' }, { status: 409 })
        : Response.json({ ...PROGRESS, due: [], focus: ['system_design', 'collaboration'], next_due_on: '2026-11-30' }),
    )
    renderSection('ko')
    expect(await screen.findByText(`오늘 연습할 역량은 없습니다. 다음 연습일은 ${formatDay('ko', '2026-11-30')}입니다.`)).toBeTruthy()
    expect(screen.getByText(/시스템 설계 및 협업 역량을 다루는 5문항 연습 면접/)).toBeTruthy()
    const ticks = [...document.querySelectorAll('.trend-spark text')].map((t) => t.textContent)
    expect(ticks).toEqual(expect.arrayContaining(['11월 20일', '11월 24일']))
    fireEvent.click(screen.getByRole('button', { name: '약한 역량 연습하기' }))
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('점수가 매겨진 답변이 있는 면접을 먼저 마친 뒤에'),
    )
    expect(window.location.pathname).toBe('/')
    expect(screen.getByRole('button', { name: '약한 역량 연습하기' })).toHaveProperty('disabled', false)
  })

  it('shows nothing before any answer is scored, and a retry on failure', async () => {
    serve(() => Response.json({ ...PROGRESS, competencies: [], due: [], focus: [], next_due_on: null }))
    const { container } = renderSection()
    await waitFor(() => expect(container.querySelector('.spinner, [role="status"]')).toBeNull())
    expect(container.textContent).toBe('')

    let calls = 0
    serve(() => (++calls === 1 ? Response.json({ detail: 'boom' }, { status: 500 }) : Response.json(PROGRESS)))
    renderSection()
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('button', { name: 'Practise my weak areas' })).toBeTruthy()
  })
})
