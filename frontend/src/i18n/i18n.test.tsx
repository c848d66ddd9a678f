import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { en } from './en'
import { createI18n, I18nProvider, useI18n } from './index'
import { ko } from './ko'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
const translate = (locale: 'en' | 'ko', key: string, vars?: Record<string, unknown>) => createI18n(locale).t(key, vars)
const PLURAL_VARIANT = /_(zero|one|two|few|many)$/

function detectLocale(languages: string[]): string {
  Object.defineProperty(navigator, 'languages', { configurable: true, value: languages })
  return createI18n().resolvedLanguage ?? ''
}

describe('i18n', () => {
  it('detects the first supported browser language unless one was picked on this device', () => {
    expect(detectLocale(['ko-KR', 'en-US'])).toBe('ko')
    expect(detectLocale(['fr-FR', 'en-GB', 'ko'])).toBe('en')
    expect(detectLocale(['de', 'ko_KR'])).toBe('ko')
    expect(detectLocale(['fr'])).toBe('en')
    expect(detectLocale([])).toBe('en')
    window.localStorage.setItem('rehearsal.locale', 'ko')
    expect(detectLocale(['en-US'])).toBe('ko')
  })

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'home.answered', { answered: 2, total: 5 })).toBe('2 of 5 answered')
    expect(translate('ko', 'home.answered', { answered: 2, total: 5 })).toBe('5개 중 2개 답변')
    expect(translate('en', 'home.answered', { answered: 2 })).toBe('2 of {total} answered')
  })

  it('has a non-empty Korean message with the same placeholders for every English key', () => {
    const korean: Record<string, string> = ko
    for (const [key, text] of Object.entries(en).filter(([k]) => !PLURAL_VARIANT.test(k))) {
      expect(korean[key], key).toBeTruthy()
      expect(placeholders(korean[key]), key).toEqual(placeholders(text))
    }
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).filter((k) => !PLURAL_VARIANT.test(k)).sort())
  })

  it('switches language at run time, persists the choice and updates <html lang>', () => {
    function Probe() {
      const { t, setLocale, locale } = useI18n()
      return (
        <div>
          <h1>{t('setup.start')}</h1>
          <button onClick={() => setLocale(locale === 'en' ? 'ko' : 'en')}>switch</button>
        </div>
      )
    }
    render(
      <I18nProvider locale="en">
        <Probe />
      </I18nProvider>,
    )
    expect(screen.getByRole('heading').textContent).toBe('Start interview')
    expect(document.documentElement.lang).toBe('en')
    fireEvent.click(screen.getByText('switch'))
    expect(screen.getByRole('heading').textContent).toBe('면접 시작')
    expect(document.documentElement.lang).toBe('ko')
    expect(window.localStorage.getItem('rehearsal.locale')).toBe('ko')
  })

  it('picks the plural form by the language’s rules', () => {
    expect(translate('en', 'room.finishEarlyConfirm', { count: 1 })).toBe(
      'Finish now with 1 answered question? Unasked questions will be skipped.',
    )
    expect(translate('en', 'room.finishEarlyConfirm', { count: 2 })).toMatch(/^Finish now with 2 answered questions\?/)
    expect(translate('en', 'room.finishEarlyConfirm', { count: 0 })).toMatch(/^Finish now with 0 answered questions\?/)
    expect(translate('en', 'room.progress', { answered: 1, count: 1 })).toBe('1 of 1 question answered')
    expect(translate('ko', 'room.finishEarlyConfirm', { count: 1 })).toMatch(/^1개 질문에 답한/) // Korean has one form
    expect(translate('en', 'report.metricsLine', { count: 1, wpm: 120, fillers: 1, seconds: 30 })).toBe(
      '120 words/min · 1 filler word · 30 s spoken',
    )
    // every plural variant has its "other" form, and plurals use i18next's suffixes (not "<key>.one")
    for (const key of Object.keys(en).filter((k) => PLURAL_VARIANT.test(k))) {
      expect(Object.keys(en), key).toContain(key.replace(PLURAL_VARIANT, '_other'))
      expect(Object.keys(ko), key).toContain(key.replace(PLURAL_VARIANT, '_other'))
    }
    expect(Object.keys(en).filter((k) => /\.(zero|one|two|few|many)$/.test(k))).toEqual([])
  })
})
