import { useEffect, useState } from 'react'

/** Seconds since `since` (ISO), ticking once a second; 0 when `since` is null. */
export function useElapsed(since: string | null): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!since) return
    setNow(Date.now())
    const timer = window.setInterval(() => setNow(Date.now()), 1000)
    return () => window.clearInterval(timer)
  }, [since])
  if (!since) return 0
  const start = new Date(since).getTime()
  return Number.isNaN(start) ? 0 : Math.max(0, Math.floor((now - start) / 1000))
}

export function formatClock(seconds: number): string {
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return `${m}:${String(s).padStart(2, '0')}`
}
