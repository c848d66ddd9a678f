import type { Locale } from '../../api/types'

const tagOf = (locale: Locale) => (locale === 'ko' ? 'ko-KR' : 'en-US')

/** A calendar day ("YYYY-MM-DD", already in the candidate's time zone) as "Nov 24" / "11월 24일". Formatted in UTC
 * so the browser's offset never moves it to the day before. */
export function formatDay(locale: Locale, day: string, withYear = false): string {
  const date = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return day
  const options: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', timeZone: 'UTC' }
  if (withYear) options.year = 'numeric'
  return new Intl.DateTimeFormat(tagOf(locale), options).format(date)
}

/** "System design and Ownership" / "시스템 설계 및 주인의식". */
export function formatList(locale: Locale, items: string[]): string {
  return new Intl.ListFormat(tagOf(locale), { style: 'long', type: 'conjunction' }).format(items)
}
