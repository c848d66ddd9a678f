import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { en } from './en'
import { detectLocale, I18nProvider, translate, useI18n } from './index'
import { ko } from './ko'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('i18n', () => {
  it('detects the first supported browser language', () => {
    expect(detectLocale(['ko-KR', 'en-US'])).toBe('ko')
    expect(detectLocale(['fr-FR', 'en-GB', 'ko'])).toBe('en')
    expect(detectLocale(['de', 'ko_KR'])).toBe('ko')
    expect(detectLocale(['fr'])).toBe('en')
    expect(detectLocale([])).toBe('en')
  })

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'home.answered', { answered: 2, total: 5 })).toBe('2 of 5 answered')
    expect(translate('ko', 'home.answered', { answered: 2, total: 5 })).toBe('5개 중 2개 답변')
    expect(translate('en', 'home.answered', { answered: 2 })).toBe('2 of {total} answered')
  })

  it('has a non-empty Korean message with the same placeholders for every English key', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ko[key], key).toBeTruthy()
      expect(placeholders(ko[key]), key).toEqual(placeholders(en[key]))
    }
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort())
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
    // every plural variant has its base ("other") form
    for (const key of Object.keys(en).filter((k) => /\.(zero|one|two|few|many)$/.test(k))) {
      expect(Object.keys(en), key).toContain(key.replace(/\.\w+$/, ''))
    }
  })
})
