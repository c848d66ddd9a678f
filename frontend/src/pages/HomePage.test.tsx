import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { InterviewSummary } from '../api/types'
import { TestProviders } from '../test/providers'
import { I18nProvider } from '../i18n'
import { AuthProvider } from '../state/auth'
import { requestOf } from '../test/http'
import { HomePage, interviewOutcome } from './HomePage'

const summary = (overrides: Partial<InterviewSummary>): InterviewSummary => ({
  id: 'iv',
  role: 'Backend engineer',
  language: 'en',
  status: 'finished',
  created_at: '2026-11-24T10:00:00Z',
  overall_score: 3.4,
  num_questions: 3,
  answered: 3,
  ...overrides,
})

/** No scored answer yet: the practice section (issue 20) draws nothing. */
const NO_PROGRESS = { today: '2026-11-25', timezone: 'UTC', competencies: [], due: [], focus: [], next_due_on: null }

function serve(items: InterviewSummary[]) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const { path } = await requestOf(input)
      if (path === '/api/interviews') return Response.json(items)
      if (path === '/api/progress') return Response.json(NO_PROGRESS)
      return Response.json({ id: 'u1', email: 'a@b.co', display_name: '', locale: 'en' })
    }),
  )
}

function renderHome(locale: 'en' | 'ko' = 'en') {
  return render(
    <TestProviders>
      <I18nProvider locale={locale}>
        <AuthProvider>
          <HomePage />
        </AuthProvider>
      </I18nProvider>
    </TestProviders>,
  )
}

describe('HomePage', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('flags a finished interview without answers, without a score or ended early', () => {
    expect(interviewOutcome(summary({}))).toBe('finished')
    expect(interviewOutcome(summary({ answered: 0, overall_score: null }))).toBe('empty')
    expect(interviewOutcome(summary({ overall_score: null }))).toBe('unscored')
    expect(interviewOutcome(summary({ answered: 2 }))).toBe('partial')
    expect(interviewOutcome(summary({ status: 'active', overall_score: null }))).toBe('active')
  })

  it('shows scores on the 1–5 scale, flags failures, and one interview as a stat instead of a chart', async () => {
    serve([summary({ id: 'a' }), summary({ id: 'b', role: 'Data', overall_score: null })])
    renderHome()
    const list = await screen.findByRole('list')
    const [scored, failed] = within(list).getAllByRole('listitem')
    expect(within(scored).getByText('Finished')).toBeTruthy()
    expect(within(scored).getByRole('img', { name: 'Overall score 3.4 out of 5' })).toBeTruthy()
    expect(within(failed).getByText('Not scored').className).toContain('chip-status-unscored')
    expect(within(failed).queryByText('–')).toBeNull()
    // only one scored interview: a compact stat, no chart
    expect(screen.getByText(/Your first result: 3.4 \/ 5/)).toBeTruthy()
    expect(document.querySelector('.progress-chart')).toBeNull()
  })

  it('draws the progress chart with dates on the 1–5 scale from two interviews', async () => {
    serve([summary({ id: 'a' }), summary({ id: 'b', created_at: '2026-11-20T10:00:00Z', overall_score: 2.5 })])
    renderHome('ko')
    await screen.findByRole('list')
    const chart = document.querySelector('.progress-chart svg')
    expect(chart?.getAttribute('aria-label')).toMatch(/1–5/)
    const ticks = [...(chart?.querySelectorAll('text') ?? [])].map((t) => t.textContent)
    expect(ticks).toEqual(expect.arrayContaining(['1', '5', '11월 20일', '11월 24일']))
  })

  it('deletes an interview after confirmation and drops it from the list; a failed delete says why', async () => {
    let status = 204
    const calls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const { key } = await requestOf(input)
        calls.push(key)
        if (key === 'GET /api/interviews') {
          return Response.json([summary({ id: 'a' }), summary({ id: 'b', role: 'Data', created_at: '2026-11-20T10:00:00Z' })])
        }
        if (key.startsWith('DELETE ')) return status === 204 ? new Response(null, { status }) : Response.json({}, { status })
        if (key === 'GET /api/progress') return Response.json(NO_PROGRESS)
        return Response.json({ id: 'u1', email: 'a@b.co', display_name: '', locale: 'en' })
      }),
    )
    vi.stubGlobal('confirm', () => true)
    renderHome()
    const list = await screen.findByRole('list')
    fireEvent.click(within(list).getByRole('button', { name: /Data/ }))
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1))
    expect(calls).toContain('DELETE /api/interviews/b')
    status = 500
    fireEvent.click(within(list).getByRole('button', { name: /Backend engineer/ }))
    expect(await screen.findByText(/Something went wrong on our side/)).toBeTruthy()
    expect(within(list).getAllByRole('listitem')).toHaveLength(1)
  })
})
