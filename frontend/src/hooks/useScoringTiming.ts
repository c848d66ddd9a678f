import { useQuery } from '@tanstack/react-query'
import { scoringTimingQuery } from '../api/queries'

/**
 * How long scoring usually takes here (median seconds from submitting an answer to its score), fetched when
 * `active` turns on — i.e. each time an answer starts being scored, so the estimate follows the server's load.
 * null until known, or when the server has too few finished evaluations to say ("usually" needs a history). A
 * failure just leaves it null: an estimate is a courtesy, the room still says scoring runs meanwhile.
 */
export function useScoringTiming(active: boolean): number | null {
  const query = useQuery({ ...scoringTimingQuery, enabled: active })
  return query.data?.p50_s ?? null
}
