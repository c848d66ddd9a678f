import { SCORE_MAX, SCORE_MIN } from '../api/types'

// One scale for every score the candidate sees (C1: 1–5, 5 best). Helpers so no screen invents its own.

export type ScoreTone = 'low' | 'mid' | 'high'

/** Colour tone of a 1–5 score: a 1 must never look like a success. */
export function scoreTone(score: number): ScoreTone {
  if (score < 2.5) return 'low'
  if (score < 3.5) return 'mid'
  return 'high'
}

/** Position of a score on the scale, 0 at 1 and 1 at 5 (clamped), for rings and bars. */
export function scoreRatio(score: number | null): number {
  if (score === null || Number.isNaN(score)) return 0
  return Math.max(0, Math.min(1, (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)))
}

/** "3.4": one decimal for means, none for whole scores (an answer's overall is an integer). */
export function scoreDigits(score: number): number {
  return Number.isInteger(score) ? 0 : 1
}
