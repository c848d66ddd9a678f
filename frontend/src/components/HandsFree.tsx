import { useI18n } from '../i18n'
import type { HandsFreeState } from '../state/handsFree'
import { Banner } from './ui'

/** The switch in the answer toolbar: finish the answer by itself when the candidate stops talking. */
export function HandsFreeToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  const { t } = useI18n()
  return (
    <label className="inline-check" title={t('room.handsFreeHint')}>
      <input type="checkbox" checked={on} onChange={(e) => onChange(e.target.checked)} />
      {t('room.handsFree')}
    </label>
  )
}

/** The visible countdown before a hands-free finish; speaking again or the button keeps the answer open. */
export function HandsFreeCountdown({
  state,
  secondsLeft,
  onCancel,
}: {
  state: HandsFreeState
  secondsLeft: number | null
  onCancel: () => void
}) {
  const { t } = useI18n()
  if (state.status === 'listening') return null
  return (
    <div className="hands-free-countdown">
      <Banner tone="info" onRetry={onCancel} retryLabel={t('room.handsFreeKeepGoing')}>
        {state.status === 'countdown'
          ? t('room.handsFreeCountdown', { seconds: secondsLeft ?? 0 })
          : t('room.handsFreeWaiting')}
      </Banner>
    </div>
  )
}
