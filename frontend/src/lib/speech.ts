import type { Locale } from '../api/types'

// Read questions aloud with the browser's own speech synthesis: no audio leaves or enters the server for this.

export function speechSupported(): boolean {
  return typeof window !== 'undefined' && 'speechSynthesis' in window && 'SpeechSynthesisUtterance' in window
}

export function pickVoice(voices: readonly SpeechSynthesisVoice[], language: Locale): SpeechSynthesisVoice | null {
  const wanted = language === 'ko' ? 'ko' : 'en'
  const matching = voices.filter((v) => v.lang.toLowerCase().startsWith(wanted))
  return matching.find((v) => v.localService) ?? matching[0] ?? null
}

export function speak(text: string, language: Locale): void {
  if (!speechSupported() || !text.trim()) return
  const synth = window.speechSynthesis
  synth.cancel()
  const utterance = new SpeechSynthesisUtterance(text)
  utterance.lang = language === 'ko' ? 'ko-KR' : 'en-US'
  const voice = pickVoice(synth.getVoices(), language)
  if (voice) utterance.voice = voice
  utterance.rate = 1
  synth.speak(utterance)
}

export function stopSpeaking(): void {
  if (speechSupported()) window.speechSynthesis.cancel()
}
