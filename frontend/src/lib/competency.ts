import type { InterviewPlan } from '../api/types'
import type { MessageKey, Vars } from '../i18n'
import { en } from '../i18n/en'

type T = (key: MessageKey, vars?: Vars) => string

/**
 * A competency's name in the UI's language when it is one of the C2 set, else the name the API sent with the plan
 * (or `fallback`, or the id itself), so a competency added to the bank later still reads as a name.
 */
export function competencyName(
  t: T,
  id: string | null | undefined,
  plan?: InterviewPlan | null,
  fallback?: string,
): string {
  if (!id) return fallback ?? ''
  const key = `competency.${id}`
  if (key in en) return t(key as MessageKey)
  return plan?.competencies.find((c) => c.id === id)?.name ?? fallback ?? id
}
