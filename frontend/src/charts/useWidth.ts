import { useEffect, useRef, useState } from 'react'

/**
 * The rendered width of an element, so an SVG can use a viewBox in real pixels (its 12 px text stays 12 px on
 * screen instead of shrinking with the panel). `fallback` until measured, and where ResizeObserver is missing.
 */
export function useWidth<T extends HTMLElement>(fallback: number): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null)
  const [width, setWidth] = useState(fallback)
  useEffect(() => {
    const element = ref.current
    if (!element || typeof ResizeObserver === 'undefined') return
    const measure = () => {
      const next = Math.round(element.getBoundingClientRect().width)
      if (next > 0) setWidth(next)
    }
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [])
  return [ref, width]
}
