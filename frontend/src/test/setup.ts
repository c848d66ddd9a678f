import { cleanup, configure } from '@testing-library/react'
import { afterEach } from 'vitest'

// findBy*/waitFor wait for a signal (an element, a call); their deadline only bounds a hang. The 1 s default failed
// on a machine with both CPUs saturated (issue 18), where one render of a page can take longer than that.
configure({ asyncUtilTimeout: 15_000 })

afterEach(() => {
  cleanup()
  window.localStorage.clear()
})
