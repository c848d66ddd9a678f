import type { InterviewEventMap } from '../api/types'

// Live transcript assembly: STT sends many `partial` hypotheses for the phrase being spoken, then one `final` per
// segment. Finals accumulate (in time order, each once even if the stream is replayed after a reconnect); the
// partial is only the latest guess and is replaced, never appended.

export interface Segment {
  key: string
  text: string
  start_s: number
  end_s: number
}

export interface QuestionTranscript {
  finals: Segment[]
  partial: Segment | null
}

export const EMPTY_TRANSCRIPT: QuestionTranscript = { finals: [], partial: null }

type Partial_ = InterviewEventMap['transcript.partial']
type Final = InterviewEventMap['transcript.final']

export function applyPartial(transcript: QuestionTranscript, event: Pick<Partial_, 'text' | 'start_s' | 'end_s'>) {
  const text = event.text.trim()
  // A partial that starts before the last final ended is a stale hypothesis for text already finalized.
  const lastFinal = transcript.finals.at(-1)
  if (lastFinal && event.end_s <= lastFinal.end_s && event.start_s < lastFinal.end_s) return transcript
  return {
    ...transcript,
    partial: text ? { key: 'partial', text, start_s: event.start_s, end_s: event.end_s } : null,
  }
}

export function applyFinal(
  transcript: QuestionTranscript,
  event: Pick<Final, 'text' | 'start_s' | 'end_s' | 'segment_id'>,
): QuestionTranscript {
  const text = event.text.trim()
  const key = event.segment_id ?? `${event.start_s.toFixed(2)}:${text}`
  if (transcript.finals.some((segment) => segment.key === key)) return transcript
  const partial = transcript.partial && transcript.partial.start_s < event.end_s ? null : transcript.partial
  if (!text) return { ...transcript, partial }
  const finals = [...transcript.finals, { key, text, start_s: event.start_s, end_s: event.end_s }]
  finals.sort((a, b) => a.start_s - b.start_s)
  return { finals, partial }
}

function join(parts: string[]): string {
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ')
}

export function finalText(transcript: QuestionTranscript): string {
  return join(transcript.finals.map((segment) => segment.text))
}

/** What the candidate has said so far, including the words still being recognised. */
export function fullText(transcript: QuestionTranscript): string {
  return join([finalText(transcript), transcript.partial?.text ?? ''])
}
