import { useEffect, useRef, type Dispatch } from 'react'
import type { QuestionView, RoomAction } from '../state/interviewRoom'

/** Scoring usually finishes well within this; past it the candidate is told it is slow and why (issue 18). */
export const SLOW_EVALUATION_MS = 60_000

/**
 * Marks an evaluation "slow" once it has been pending for SLOW_EVALUATION_MS, so the room can say that scoring is
 * taking longer than usual instead of showing "Scoring…" for minutes. The server's own signal (an
 * `evaluation.failed` event with `final: false` and code `timeout`) marks it slow at once, in the reducer.
 */
export function useSlowEvaluations(questions: QuestionView[], dispatch: Dispatch<RoomAction>): void {
  const since = useRef(new Map<string, number>())
  const pending = questions.filter((q) => q.evaluation.status === 'pending' && !q.evaluation.slow).map((q) => q.id)
  const key = pending.join(',')

  useEffect(() => {
    const now = Date.now()
    for (const id of [...since.current.keys()]) if (!pending.includes(id)) since.current.delete(id)
    const timers = pending.map((id) => {
      if (!since.current.has(id)) since.current.set(id, now)
      const left = Math.max(0, SLOW_EVALUATION_MS - (now - (since.current.get(id) ?? now)))
      return window.setTimeout(() => dispatch({ type: 'evaluation_slow', questionId: id }), left)
    })
    return () => timers.forEach((timer) => window.clearTimeout(timer))
  }, [key, dispatch]) // `key` stands for `pending`, a new array on every render
}
