import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import type { Locale } from '../api/types'
import { en, type MessageKey } from './en'
import { ko } from './ko'

export type { MessageKey }
export const LOCALES: readonly Locale[] = ['en', 'ko']
const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, ko }
const STORAGE_KEY = 'rehearsal.locale'

export type Vars = Record<string, string | number>

const pluralRules: Partial<Record<Locale, Intl.PluralRules>> = {}

/** The plural form of `key` for `count` ("room.x.one" in English for 1), or `key` itself (the "other" form). */
function pluralKey(locale: Locale, key: MessageKey, count: number): MessageKey {
  const rules = (pluralRules[locale] ??= new Intl.PluralRules(locale))
  const form = `${key}.${rules.select(count)}`
  return form in DICTIONARIES[locale] ? (form as MessageKey) : key
}

/**
 * Look up a message and fill `{name}` placeholders. Unknown placeholders are left visible, never dropped. A numeric
 * `count` picks the language's plural form by the platform's plural rules (Intl.PluralRules): the plain key holds
 * the "other" form, `<key>.one` etc. the others where a language has them.
 */
export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  const chosen = typeof vars?.count === 'number' ? pluralKey(locale, key, vars.count) : key
  const template = DICTIONARIES[locale][chosen] ?? en[chosen] ?? key
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in vars ? String(vars[name]) : match))
}

/** The first browser language we support wins ("ko-KR" -> ko); anything else falls back to English. */
export function detectLocale(languages: readonly string[] | undefined): Locale {
  for (const language of languages ?? []) {
    const base = language.toLowerCase().split(/[-_]/)[0]
    if (base === 'ko' || base === 'en') return base
  }
  return 'en'
}

export function isLocale(value: unknown): value is Locale {
  return value === 'ko' || value === 'en'
}

/** The language the candidate picked on this device with the language switch, if any. */
export function chosenLocale(): Locale | null {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY)
    return isLocale(saved) ? saved : null
  } catch {
    return null
  }
}

function initialLocale(): Locale {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY)
    if (isLocale(saved)) return saved
  } catch {
    // storage disabled: fall through to the browser language
  }
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language]
  return detectLocale(languages)
}

export interface I18n {
  locale: Locale
  setLocale: (locale: Locale) => void
  t: (key: MessageKey, vars?: Vars) => string
  formatDate: (iso: string) => string
  formatNumber: (value: number, digits?: number) => string
}

const I18nContext = createContext<I18n | null>(null)

export function I18nProvider({ children, locale: forced }: { children: ReactNode; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(() => forced ?? initialLocale())
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next)
    try {
      window.localStorage.setItem(STORAGE_KEY, next)
    } catch {
      // not persisted; the choice still applies to this tab
    }
  }, [])
  useEffect(() => {
    document.documentElement.lang = locale
  }, [locale])
  const value = useMemo<I18n>(() => {
    const tag = locale === 'ko' ? 'ko-KR' : 'en-US'
    const dateFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' })
    return {
      locale,
      setLocale,
      t: (key, vars) => translate(locale, key, vars),
      formatDate: (iso) => {
        const date = new Date(iso)
        return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date)
      },
      formatNumber: (value, digits = 0) =>
        new Intl.NumberFormat(tag, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value),
    }
  }, [locale, setLocale])
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  const value = useContext(I18nContext)
  if (!value) throw new Error('useI18n outside <I18nProvider>')
  return value
}
