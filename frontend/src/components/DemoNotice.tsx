import { useEffect, useState } from 'react'
import { api } from '../api/client'
import type { ModelsInfo } from '../api/types'
import { useI18n } from '../i18n'
import { Banner } from './ui'

// The models do not change while the app is open: ask once per page load.
let cached: Promise<ModelsInfo | null> | null = null
function loadModels(): Promise<ModelsInfo | null> {
  cached ??= api.models().catch(() => {
    cached = null // an older API without /api/models, or a blip: say nothing, ask again next time
    return null
  })
  return cached
}

/** Forget the cached answer (tests). */
export function resetModelsCache(): void {
  cached = null
}

/**
 * Honest labelling: when a role is served by the bundled small model, say so where it matters (setup, report)
 * with one line on how to connect a real model. Renders nothing for production models.
 */
export function DemoNotice() {
  const { t } = useI18n()
  const [models, setModels] = useState<ModelsInfo | null>(null)
  useEffect(() => {
    let live = true
    void loadModels().then((m) => live && setModels(m))
    return () => {
      live = false
    }
  }, [])
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
