import { render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { I18nProvider } from '../i18n'
import { requestOf } from '../test/http'
import { TestProviders } from '../test/providers'
import { ScoringEstimate } from './ScoringEstimate'

function serve(body: unknown, status = 200) {
  const fetchMock = vi.fn(async (_input: RequestInfo | URL) => Response.json(body, { status }))
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

const show = (scoring: boolean, locale: 'en' | 'ko' = 'en') => (
  <TestProviders>
    <I18nProvider locale={locale}>
      <ScoringEstimate scoring={scoring} />
    </I18nProvider>
  </TestProviders>
)

describe('ScoringEstimate', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('says how long scoring usually takes, only while something is scored', async () => {
    const fetchMock = serve({ p50_s: 7.6, samples: 12 })
    const { rerender } = render(show(false))
    expect(fetchMock).not.toHaveBeenCalled()
    expect(screen.queryByRole('status')).toBeNull()

    rerender(show(true))
    expect(await screen.findByText(/Scoring usually takes ~8 s/)).toBeTruthy()
    expect((await requestOf(fetchMock.mock.calls[0][0])).key).toBe('GET /api/evaluations/timing')
    rerender(show(false))
    expect(screen.queryByRole('status')).toBeNull()
  })

  it('speaks Korean to a Korean candidate', async () => {
    serve({ p50_s: 7.6, samples: 12 })
    render(show(true, 'ko'))
    expect(await screen.findByText(/채점은 보통 ~8초 걸립니다/)).toBeTruthy()
  })

  it('without enough history (or without an answer) it only says the candidate can go on', async () => {
    serve({ p50_s: null, samples: 1 })
    render(show(true))
    expect(await screen.findByText(/Scoring runs in the background/)).toBeTruthy()
    vi.unstubAllGlobals()
    serve({ detail: 'down' }, 503)
    render(show(true))
    expect((await screen.findAllByText(/Scoring runs in the background/)).length).toBe(2)
  })
})
