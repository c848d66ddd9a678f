import { useEffect, useRef, useState } from 'react'
import { openInterviewEvents } from '../api/client'
import type { InterviewEvent } from '../api/types'

/** EventSource reconnects by itself within seconds: only report an outage that lasts this long. */
export const EVENTS_GRACE_MS = 8000

/**
 * The interview's live events (transcript, expression samples, evaluations, service problems) while `interviewId`
 * is set. `onEvent` may change on every render without reopening the stream. `eventsDown` turns true only after
 * the connection has been failing for EVENTS_GRACE_MS, and back to false when it reopens.
 */
export function useInterviewEvents(
  interviewId: string | null,
  onEvent: (event: InterviewEvent) => void,
): { eventsDown: boolean } {
  const [eventsDown, setEventsDown] = useState(false)
  const handler = useRef(onEvent)
  useEffect(() => {
    handler.current = onEvent
  }, [onEvent])

  useEffect(() => {
    if (!interviewId) return
    let timer: number | undefined
    const close = openInterviewEvents(
      interviewId,
      (event) => handler.current(event),
      (connection) => {
        window.clearTimeout(timer)
        if (connection === 'open') setEventsDown(false)
        else timer = window.setTimeout(() => setEventsDown(true), EVENTS_GRACE_MS)
      },
    )
    return () => {
      window.clearTimeout(timer)
      close()
    }
  }, [interviewId])

  return { eventsDown }
}
