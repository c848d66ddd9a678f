import { useQuery } from '@tanstack/react-query'
import { modelsQuery } from '../api/queries'
import { useI18n } from '../i18n'
import { Banner } from './ui'

/**
 * Honest labelling: when a role is served by the bundled small model, say so where it matters (setup, report)
 * with one line on how to connect a real model. Renders nothing for production models.
 */
export function DemoNotice() {
  const { t } = useI18n()
  const { data: models } = useQuery(modelsQuery) // a failure (an older API, a blip) says nothing
  if (!models || (!models.question.demo && !models.evaluator.demo)) return null
  const both = models.question.demo && models.evaluator.demo
  const model = models.question.demo ? models.question.model : models.evaluator.model
  const text = both ? 'models.demoBoth' : models.question.demo ? 'models.demoQuestion' : 'models.demoEvaluator'
  return (
    <Banner tone="info">
      <strong>{t('models.demoTitle')}:</strong> {t(text, { model })}{' '}
      <span className="demo-howto">{t('models.howTo')}</span>
    </Banner>
  )
}
