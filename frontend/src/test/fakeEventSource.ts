// jsdom has no EventSource: a controllable stand-in that records instances so tests can emit server events.
export class FakeEventSource {
  static instances: FakeEventSource[] = []
  readonly url: string
  readonly withCredentials: boolean
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  closed = false
  private listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>()

  constructor(url: string, init?: { withCredentials?: boolean }) {
    this.url = url
    this.withCredentials = init?.withCredentials ?? false
    FakeEventSource.instances.push(this)
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  /** Deliver an event as the API does: its JSON data carries its own `type` (core/events.py model_dump_json). */
  emit(type: string, data: unknown, id = ''): void {
    const payload = data && typeof data === 'object' && !Array.isArray(data) ? { type, ...data } : data
    const event = new MessageEvent<string>(type, { data: JSON.stringify(payload), lastEventId: id })
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }

  close(): void {
    this.closed = true
  }
}
