import i18next, { type i18n as I18next } from 'i18next'
import LanguageDetector from 'i18next-browser-languagedetector'
import { useEffect, useMemo, useState, type ReactNode } from 'react'
import { I18nextProvider, useTranslation } from 'react-i18next'
import type { Locale } from '../api/types'
import { en, type CatalogKey } from './en'
import { ko } from './ko'

// i18next with the catalogs in en.ts / ko.ts: flat keys (no nesting, so "." is part of a key), `{name}` placeholders,
// plurals by `count` and Intl.PluralRules (`<key>_one` / `<key>_other`). Components use `useI18n()`, whose `t` only
// accepts keys the English catalog has.

export const LOCALES: readonly Locale[] = ['en', 'ko']
const STORAGE_KEY = 'rehearsal.locale'

type PluralForm = 'zero' | 'one' | 'two' | 'few' | 'many'
type PluralVariant = `${string}_${PluralForm}`
/** A key as components ask for it: a plural is asked by its base name, `t('room.progress', { count })`. */
export type MessageKey = CatalogKey extends infer K
  ? K extends `${infer Base}_${PluralForm | 'other'}`
    ? Base
    : K
  : never
/** Korean has only the "other" plural form: every key but the English-only plural variants. */
export type KoreanCatalog = Record<Exclude<CatalogKey, PluralVariant>, string>

export type Vars = Record<string, string | number>

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

/**
 * An i18next instance with both catalogs. Without `locale`: the language picked on this device, else the first
 * supported browser language ("ko-KR" -> ko), else English.
 */
export function createI18n(locale?: Locale): I18next {
  const instance = i18next.createInstance()
  if (!locale) instance.use(LanguageDetector)
  void instance.init({
    resources: { en: { translation: en }, ko: { translation: ko } },
    lng: locale,
    supportedLngs: LOCALES,
    fallbackLng: 'en',
    keySeparator: false,
    nsSeparator: false,
    interpolation: { prefix: '{', suffix: '}', escapeValue: false }, // React escapes
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: STORAGE_KEY,
      caches: [], // only an explicit choice is stored (setLocale): the account's language applies otherwise
      convertDetectedLanguage: (language: string) => language.toLowerCase().split(/[-_]/)[0],
    },
    initAsync: false, // the catalogs are bundled: ready on the first render
  })
  return instance
}

export interface I18n {
  locale: Locale
  setLocale: (locale: Locale) => void
  t: (key: MessageKey, vars?: Vars) => string
  formatDate: (iso: string) => string
  formatNumber: (value: number, digits?: number) => string
}

export function I18nProvider({ children, locale }: { children: ReactNode; locale?: Locale }) {
  const [instance] = useState(() => createI18n(locale))
  useEffect(() => {
    const mark = (language: string) => {
      document.documentElement.lang = language
    }
    mark(instance.resolvedLanguage ?? 'en')
    instance.on('languageChanged', mark)
    return () => instance.off('languageChanged', mark)
  }, [instance])
  return <I18nextProvider i18n={instance}>{children}</I18nextProvider>
}

export function useI18n(): I18n {
  const { i18n } = useTranslation()
  const locale: Locale = isLocale(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en'
  return useMemo<I18n>(() => {
    const tag = locale === 'ko' ? 'ko-KR' : 'en-US'
    const dateFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' })
    const t = i18n.getFixedT(locale)
    return {
      locale,
      setLocale: (next) => {
        void i18n.changeLanguage(next)
        try {
          window.localStorage.setItem(STORAGE_KEY, next)
        } catch {
          // not persisted; the choice still applies to this tab
        }
      },
      t: (key, vars) => t(key, vars),
      formatDate: (iso) => {
        const date = new Date(iso)
        return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date)
      },
      formatNumber: (value, digits = 0) =>
        new Intl.NumberFormat(tag, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value),
    }
  }, [locale, i18n])
}
