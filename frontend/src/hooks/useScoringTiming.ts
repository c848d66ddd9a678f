import { useEffect, useState } from 'react'
import { api } from '../api/client'

/**
 * How long scoring usually takes here (median seconds from submitting an answer to its score), fetched when
 * `active` turns on — i.e. each time an answer starts being scored, so the estimate follows the server's load.
 * null until known, or when the server has too few finished evaluations to say ("usually" needs a history).
 */
export function useScoringTiming(active: boolean): number | null {
  const [p50, setP50] = useState<number | null>(null)
  useEffect(() => {
    if (!active) return
    let live = true
    api
      .scoringTiming()
      .then((timing) => live && setP50(timing.p50_s))
      .catch(() => undefined) // an estimate is a courtesy: without it the room just says scoring runs meanwhile
    return () => {
      live = false
    }
  }, [active])
  return p50
}
