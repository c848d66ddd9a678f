import { act, render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ModelsInfo, Report } from '../api/types'
import { TestProviders } from '../test/providers'
import { I18nProvider } from '../i18n'
import { FakeEventSource } from '../test/fakeEventSource'
import { makeReport } from '../test/fixtures'
import { requestOf } from '../test/http'
import { ReportPage } from './ReportPage'

const PRODUCTION: ModelsInfo = {
  question: { model: 'llama-3.1-8b', demo: false },
  evaluator: { model: 'solar-10.7b', demo: false },
}

function serve(report: Report, models: ModelsInfo = PRODUCTION) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = (await requestOf(input)).path
      if (url === '/api/interviews/iv1/report') return Response.json(report)
      if (url === '/api/models') return Response.json(models)
      return Response.json({ detail: 'no route' }, { status: 404 })
    }),
  )
}

function renderReport(locale: 'en' | 'ko' = 'en') {
  return render(
    <TestProviders>
      <I18nProvider locale={locale}>
        <ReportPage id="iv1" />
      </I18nProvider>
    </TestProviders>,
  )
}

describe('ReportPage', () => {
  beforeEach(() => {
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('reads on one 1–5 scale and shows the plan, competencies, sources, key points and anchors', async () => {
    serve(makeReport())
    renderReport()
    expect(await screen.findByLabelText('out of 5: 3.5 / 5')).toBeTruthy()
    expect(screen.queryByText(/out of 100/)).toBeNull()

    const plan = screen.getByRole('region', { name: 'What this interview covered' })
    expect(within(plan).getByText('75%')).toBeTruthy() // weights 3:1 as shares of the plan
    expect(within(plan).getByText('Collaboration')).toBeTruthy() // slot competency, in the UI's language

    const q2 = screen.getByRole('article', { name: /Design a payment retry service/ })
    expect(within(q2).getByText('4 / 5').className).toContain('tone-high')
    expect(within(q2).getByText('Tailored by the interviewer')).toBeTruthy()
    expect(within(q2).getByText('What a score means for System design')).toBeTruthy()
    expect(within(q2).getByText('A workable design with some trade-offs.').closest('.anchor')?.className).toContain('current')
    expect(within(q2).getByText('Names parts without reasons.').closest('.anchor')?.className).not.toContain('current')

    const q1 = screen.getByRole('article', { name: /Why backend/ })
    expect(within(q1).getByText('From the question bank')).toBeTruthy()
    expect(within(q1).getByText('Link to the role').closest('li')?.className).toBe('missed')
    expect(within(q1).getByText('A concrete motivation').closest('li')?.className).toBe('covered')
  })

  it('gives pace and fillers for spoken answers only', async () => {
    serve(makeReport())
    renderReport()
    const q1 = await screen.findByRole('article', { name: /Why backend/ })
    expect(within(q1).getByText('Typed answer: no speaking pace or filler words.')).toBeTruthy()
    expect(within(q1).queryByText(/words\/min/)).toBeNull()
    const q2 = screen.getByRole('article', { name: /Design a payment/ })
    expect(within(q2).getByText('138 words/min · 3 filler words · 52 s spoken')).toBeTruthy()

    // An interview with typed answers only has no pace at all, whatever the summary says.
    const typedOnly = makeReport()
    typedOnly.questions = typedOnly.questions.slice(0, 1)
    serve(typedOnly)
    renderReport()
    expect(await screen.findByText('No spoken answers in this interview.')).toBeTruthy()
  })

  it('says in Korean which answers could not be scored and why, never the server sentence', async () => {
    serve(makeReport({ status: 'failed', error: 'summary model returned invalid JSON' }))
    renderReport('ko')
    expect(await screen.findByText(/리포트를 만들지 못했습니다/)).toBeTruthy()
    expect(screen.getAllByText(/평가 모델의 피드백이 비어 있거나 같은 말을 반복해서 버렸습니다/)).toHaveLength(2)
    expect(screen.queryByText(/invalid JSON/)).toBeNull()
    expect(screen.queryByText(/repeated the rubric/)).toBeNull()
    const q3 = screen.getByRole('article', { name: /A disagreement/ })
    expect(within(q3).getByText('채점 실패').className).toContain('card-score-failed')
  })

  it('labels the demo model with how to connect a real one, and says nothing for production models', async () => {
    serve(makeReport(), {
      question: { model: 'smollm2-135m', demo: true },
      evaluator: { model: 'smollm2-135m', demo: true },
    })
    const demo = renderReport()
    expect(await screen.findByText(/small bundled demo model \(smollm2-135m\)/)).toBeTruthy()
    expect(screen.getByText(/LLAMA_MODELS=production/)).toBeTruthy()
    demo.unmount()
    serve(makeReport())
    renderReport()
    await screen.findByText('What this interview covered')
    await new Promise((resolve) => setTimeout(resolve, 0)) // let /api/models answer
    expect(screen.queryByText(/demo model/)).toBeNull()
  })

  it('refreshes a report that is being written when the event stream says it is ready, then closes the stream', async () => {
    let report = makeReport({ status: 'pending', summary: '' })
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      const { path } = await requestOf(input)
      if (path === '/api/interviews/iv1/report') return Response.json(report)
      if (path === '/api/models') return Response.json(PRODUCTION)
      return Response.json({ detail: 'no route' }, { status: 404 })
    })
    vi.stubGlobal('fetch', fetchMock)
    FakeEventSource.instances = []
    renderReport()
    expect(await screen.findByText(/Your report is being prepared/)).toBeTruthy()
    const source = FakeEventSource.instances.at(-1)!
    expect(source.url).toBe('/api/interviews/iv1/events')
    report = makeReport({ status: 'ready', summary: 'Clear and structured.' })
    act(() => source.emit('report.ready', { interview_id: 'iv1', overall_score: 3.5 }))
    expect(await screen.findByText('Clear and structured.')).toBeTruthy()
    expect(screen.queryByText(/Your report is being prepared/)).toBeNull()
    expect(source.closed).toBe(true)
  })
})
