import { useEffect, useRef, useState } from 'react'

// Camera/microphone access shared by the setup screen (preview) and the interview room (sending), so the
// candidate is asked for permission once and the room reuses the stream they just checked.

export interface DeviceChoice {
  cameraId: string | null
  micId: string | null
}

const CHOICE_KEY = 'rehearsal.devices'

export function loadDeviceChoice(): DeviceChoice {
  try {
    const raw = window.sessionStorage.getItem(CHOICE_KEY)
    if (raw) {
      const parsed = JSON.parse(raw) as Partial<DeviceChoice>
      return { cameraId: parsed.cameraId ?? null, micId: parsed.micId ?? null }
    }
  } catch {
    // ignore unreadable storage
  }
  return { cameraId: null, micId: null }
}

export function saveDeviceChoice(choice: DeviceChoice): void {
  try {
    window.sessionStorage.setItem(CHOICE_KEY, JSON.stringify(choice))
  } catch {
    // not persisted; the room will fall back to default devices
  }
}

/** Raw audio for STT: browser echo cancellation / noise suppression / AGC distort speech measurably. */
export function mediaConstraints(
  choice: DeviceChoice,
  want: { video: boolean; audio: boolean },
): MediaStreamConstraints {
  return {
    video: want.video
      ? {
          deviceId: choice.cameraId ? { exact: choice.cameraId } : undefined,
          width: { ideal: 640 },
          height: { ideal: 480 },
          frameRate: { ideal: 15, max: 30 },
        }
      : false,
    audio: want.audio
      ? {
          deviceId: choice.micId ? { exact: choice.micId } : undefined,
          echoCancellation: false,
          noiseSuppression: false,
          autoGainControl: false,
          channelCount: 1,
        }
      : false,
  }
}

export type MediaFailure = 'unsupported' | 'denied' | 'not_found' | 'busy' | 'other'

export function classifyMediaError(error: unknown): MediaFailure {
  const name = error instanceof DOMException || error instanceof Error ? error.name : ''
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied'
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'not_found'
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy'
  if (name === 'TypeError') return 'unsupported'
  return 'other'
}

let shared: MediaStream | null = null

/** Get (or reuse) a stream with the requested tracks; stops and replaces the previous one if it differs. */
export async function acquireStream(choice: DeviceChoice, want: { video: boolean; audio: boolean }) {
  if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('getUserMedia unavailable', 'TypeError')
  if (shared && streamMatches(shared, choice, want)) return shared
  releaseStream()
  shared = await navigator.mediaDevices.getUserMedia(mediaConstraints(choice, want))
  return shared
}

function streamMatches(stream: MediaStream, choice: DeviceChoice, want: { video: boolean; audio: boolean }) {
  const live = (tracks: MediaStreamTrack[]) => tracks.filter((track) => track.readyState === 'live')
  const video = live(stream.getVideoTracks())
  const audio = live(stream.getAudioTracks())
  if (want.video !== video.length > 0 || want.audio !== audio.length > 0) return false
  const sameDevice = (track: MediaStreamTrack | undefined, id: string | null) =>
    !track || !id || track.getSettings().deviceId === id
  return sameDevice(video[0], choice.cameraId) && sameDevice(audio[0], choice.micId)
}

export function releaseStream(): void {
  shared?.getTracks().forEach((track) => track.stop())
  shared = null
}

export async function listDevices(): Promise<{ cameras: MediaDeviceInfo[]; mics: MediaDeviceInfo[] }> {
  if (!navigator.mediaDevices?.enumerateDevices) return { cameras: [], mics: [] }
  const devices = await navigator.mediaDevices.enumerateDevices()
  return {
    cameras: devices.filter((d) => d.kind === 'videoinput' && d.deviceId),
    mics: devices.filter((d) => d.kind === 'audioinput' && d.deviceId),
  }
}

/** RMS level of an audio signal, mapped to 0..1 on a dB scale (-60 dB → 0, 0 dBFS → 1). */
export function levelFromSamples(samples: Float32Array): number {
  if (samples.length === 0) return 0
  let sum = 0
  for (const sample of samples) sum += sample * sample
  const rms = Math.sqrt(sum / samples.length)
  if (rms <= 0) return 0
  const db = 20 * Math.log10(rms)
  return Math.min(1, Math.max(0, (db + 60) / 60))
}

/** Live microphone level (0..1), sampled ~12 times a second: enough for a meter, light on the main thread. */
export function useMicLevel(stream: MediaStream | null): number {
  const [level, setLevel] = useState(0)
  const smoothed = useRef(0)
  useEffect(() => {
    const track = stream?.getAudioTracks()[0]
    if (!stream || !track || typeof AudioContext === 'undefined') {
      setLevel(0)
      return
    }
    const context = new AudioContext()
    const source = context.createMediaStreamSource(new MediaStream([track]))
    const analyser = context.createAnalyser()
    analyser.fftSize = 1024
    source.connect(analyser)
    const buffer = new Float32Array(analyser.fftSize)
    const timer = window.setInterval(() => {
      analyser.getFloatTimeDomainData(buffer)
      const value = levelFromSamples(buffer)
      // fast attack, slow release, like a VU meter
      smoothed.current = value > smoothed.current ? value : smoothed.current * 0.8 + value * 0.2
      setLevel(smoothed.current)
    }, 80)
    void context.resume().catch(() => undefined)
    return () => {
      window.clearInterval(timer)
      source.disconnect()
      void context.close().catch(() => undefined)
    }
  }, [stream])
  return level
}
