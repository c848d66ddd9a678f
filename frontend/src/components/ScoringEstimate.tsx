import { useScoringTiming } from '../hooks/useScoringTiming'
import { useI18n } from '../i18n'

/** While an answer is being scored: how long that usually takes, and that the candidate can go on meanwhile. */
export function ScoringEstimate({ scoring }: { scoring: boolean }) {
  const { t } = useI18n()
  const p50 = useScoringTiming(scoring)
  if (!scoring) return null
  return (
    <p className="muted scoring-estimate" role="status">
      {p50 === null ? t('eval.usualUnknown') : t('eval.usual', { seconds: Math.max(1, Math.round(p50)) })}
    </p>
  )
}
