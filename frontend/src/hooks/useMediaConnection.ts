import { useCallback, useEffect, useRef, useState } from 'react'
import { useI18n } from '../i18n'
import { describeError } from '../lib/errors'
import { acquireStream, classifyMediaError, loadDeviceChoice, releaseStream } from '../media/devices'
import { connectMedia, type MediaConnection, type MediaConnectionState } from '../media/webrtc'

export type MediaUiState = MediaConnectionState | 'idle' | 'unavailable'
export interface MediaUi {
  state: MediaUiState
  /** A translated sentence for the banner, or null when all is well. */
  problem: string | null
}

export interface MediaConnectionOptions {
  interviewId: string | null
  /** Only an active interview sends media. */
  active: boolean
  video: boolean
  audio: boolean
  /** The camera/microphone could not be opened at all (denied, missing, busy): the room falls back to typing. */
  onUnavailable: () => void
}

/**
 * Camera and microphone to the media server, only for what the candidate consented to. Opens the devices (reusing
 * the stream checked on the setup screen), connects over WebRTC and reports the connection state. `retry` tears the
 * connection down and tries again; the devices are released when the room unmounts.
 */
export function useMediaConnection({ interviewId, active, video, audio, onUnavailable }: MediaConnectionOptions): {
  media: MediaUi
  stream: MediaStream | null
  retry: () => void
} {
  const { t } = useI18n()
  const [media, setMedia] = useState<MediaUi>({ state: 'idle', problem: null })
  const [stream, setStream] = useState<MediaStream | null>(null)
  const [attempt, setAttempt] = useState(0)
  const retry = useCallback(() => setAttempt((n) => n + 1), [])
  // A callback into the page's reducer: a new identity on re-render must not reconnect the media.
  const unavailable = useRef(onUnavailable)
  useEffect(() => {
    unavailable.current = onUnavailable
  }, [onUnavailable])

  useEffect(() => {
    if (!interviewId || !active || (!video && !audio)) return
    let cancelled = false
    let connection: MediaConnection | null = null
    const run = async () => {
      let acquired: MediaStream
      try {
        acquired = await acquireStream(loadDeviceChoice(), { video, audio })
      } catch (err) {
        if (cancelled) return
        setMedia({ state: 'unavailable', problem: t(`media.${classifyMediaError(err)}`) })
        unavailable.current()
        return
      }
      if (cancelled) return
      setStream(acquired)
      try {
        connection = await connectMedia(interviewId, acquired, (connState) => {
          if (cancelled) return
          setMedia({ state: connState, problem: connState === 'failed' ? t('room.mediaFailed') : null })
        })
        if (cancelled) connection.close()
      } catch (err) {
        if (!cancelled) setMedia({ state: 'failed', problem: `${t('room.mediaFailed')} ${describeError(t, err)}` })
      }
    }
    void run()
    return () => {
      cancelled = true
      connection?.close()
    }
  }, [interviewId, active, video, audio, attempt, t])

  useEffect(() => () => releaseStream(), [])

  return { media, stream, retry }
}
