import { useCallback, useEffect, useRef, useState } from 'react'
import { useI18n } from '../i18n'
import {
  acquireStream,
  classifyMediaError,
  listDevices,
  loadDeviceChoice,
  releaseStream,
  saveDeviceChoice,
  useMicLevel,
  type DeviceChoice,
  type MediaFailure,
} from '../media/devices'
import { Banner } from './ui'

export function MicMeter({ level, label }: { level: number; label: string }) {
  const percent = Math.round(level * 100)
  return (
    <div className="mic-meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="mic-meter-fill" style={{ transform: `scaleX(${level})` }} />
    </div>
  )
}

/** Camera self-view, mic level and device pickers, before the interview starts. */
export function MediaPreview({ video, audio }: { video: boolean; audio: boolean }) {
  const { t } = useI18n()
  const [choice, setChoice] = useState<DeviceChoice>(loadDeviceChoice)
  const [stream, setStream] = useState<MediaStream | null>(null)
  const [failure, setFailure] = useState<MediaFailure | null>(null)
  const [devices, setDevices] = useState<{ cameras: MediaDeviceInfo[]; mics: MediaDeviceInfo[] }>({
    cameras: [],
    mics: [],
  })
  const [active, setActive] = useState(false)
  const videoRef = useRef<HTMLVideoElement>(null)
  const level = useMicLevel(stream)

  const start = useCallback(
    async (next: DeviceChoice) => {
      setFailure(null)
      try {
        const acquired = await acquireStream(next, { video, audio })
        setStream(acquired)
        setDevices(await listDevices()) // labels are only readable after permission is granted
      } catch (error) {
        setStream(null)
        setFailure(classifyMediaError(error))
      }
    },
    [video, audio],
  )

  useEffect(() => {
    if (active && (video || audio)) void start(choice)
    // re-acquire only when consents change; device changes call start() directly
  }, [active, video, audio])

  useEffect(() => {
    if (videoRef.current) videoRef.current.srcObject = stream
  }, [stream])

  const pick = (patch: Partial<DeviceChoice>) => {
    const next = { ...choice, ...patch }
    setChoice(next)
    saveDeviceChoice(next)
    void start(next)
  }

  const stop = () => {
    releaseStream()
    setStream(null)
    setActive(false)
  }

  if (!video && !audio) return <p className="muted">{t('setup.noMediaNeeded')}</p>

  return (
    <div className="media-preview">
      {failure && <Banner tone="warning">{t(`media.${failure}`)}</Banner>}
      <div className="preview-grid">
        <div className="self-view-frame">
          {video && stream ? (
            <video ref={videoRef} className="self-view" autoPlay muted playsInline aria-label={t('setup.cameraPreview')} />
          ) : (
            <div className="self-view placeholder">{video ? t('setup.cameraOff') : t('setup.cameraNotUsed')}</div>
          )}
        </div>
        <div className="preview-controls">
          {!active ? (
            <button type="button" className="btn" onClick={() => setActive(true)}>
              {t('setup.testDevices')}
            </button>
          ) : (
            <button type="button" className="btn btn-ghost" onClick={stop}>
              {t('setup.stopTest')}
            </button>
          )}
          {audio && (
            <div className="field">
              <span className="label-text" id="mic-level-label">
                {t('setup.micLevel')}
              </span>
              <MicMeter level={level} label={t('setup.micLevel')} />
              <p className="field-hint">{stream ? t('setup.micHint') : t('setup.micIdle')}</p>
            </div>
          )}
          {video && devices.cameras.length > 0 && (
            <div className="field">
              <label htmlFor="camera-select">{t('setup.camera')}</label>
              <select
                id="camera-select"
                value={choice.cameraId ?? ''}
                onChange={(e) => pick({ cameraId: e.target.value || null })}
              >
                <option value="">{t('setup.defaultDevice')}</option>
                {devices.cameras.map((d, i) => (
                  <option key={d.deviceId} value={d.deviceId}>
                    {d.label || `${t('setup.camera')} ${i + 1}`}
                  </option>
                ))}
              </select>
            </div>
          )}
          {audio && devices.mics.length > 0 && (
            <div className="field">
              <label htmlFor="mic-select">{t('setup.microphone')}</label>
              <select id="mic-select" value={choice.micId ?? ''} onChange={(e) => pick({ micId: e.target.value || null })}>
                <option value="">{t('setup.defaultDevice')}</option>
                {devices.mics.map((d, i) => (
                  <option key={d.deviceId} value={d.deviceId}>
                    {d.label || `${t('setup.microphone')} ${i + 1}`}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
      </div>
    </div>
  )
}
