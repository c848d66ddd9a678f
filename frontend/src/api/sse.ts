// A small, spec-following `text/event-stream` parser for streams EventSource cannot open (POST requests).
// It is incremental: feed it arbitrary chunks (a chunk may end mid-line or mid-UTF-8 sequence) and it emits each
// event once its terminating blank line has arrived.

export interface SseMessage {
  event: string
  data: string
  id: string | null
  retry: number | null
}

export class SseParser {
  private buffer = ''
  private eventType = ''
  private dataLines: string[] = []
  private lastId: string | null = null
  private retry: number | null = null
  private sawCR = false
  private readonly decoder = new TextDecoder('utf-8')
  private readonly onMessage: (message: SseMessage) => void

  constructor(onMessage: (message: SseMessage) => void) {
    this.onMessage = onMessage
  }

  feed(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true })
    if (this.buffer === '' && this.dataLines.length === 0 && this.eventType === '' && text.startsWith('\uFEFF')) {
      text = text.slice(1)
    }
    // A "\r\n" split across two chunks must count as one line break, not two.
    if (this.sawCR && text.startsWith('\n')) text = text.slice(1)
    this.sawCR = false
    this.buffer += text
    let start = 0
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i]
      if (ch !== '\n' && ch !== '\r') continue
      this.processLine(this.buffer.slice(start, i))
      if (ch === '\r') {
        if (i + 1 < this.buffer.length) {
          if (this.buffer[i + 1] === '\n') i++
        } else {
          this.sawCR = true
        }
      }
      start = i + 1
    }
    this.buffer = this.buffer.slice(start)
  }

  /** End of stream: an event without its final blank line is discarded, as the spec says. */
  end(): void {
    const tail = this.decoder.decode()
    if (tail) this.feed(tail)
    this.buffer = ''
    this.dataLines = []
    this.eventType = ''
  }

  private processLine(line: string): void {
    if (line === '') {
      this.dispatch()
      return
    }
    if (line.startsWith(':')) return // comment / keep-alive
    const colon = line.indexOf(':')
    let field = line
    let value = ''
    if (colon !== -1) {
      field = line.slice(0, colon)
      value = line.slice(colon + 1)
      if (value.startsWith(' ')) value = value.slice(1)
    }
    switch (field) {
      case 'event':
        this.eventType = value
        break
      case 'data':
        this.dataLines.push(value)
        break
      case 'id':
        if (!value.includes('\0')) this.lastId = value
        break
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value)
        break
      default:
        break
    }
  }

  private dispatch(): void {
    if (this.dataLines.length === 0) {
      this.eventType = ''
      return
    }
    const message: SseMessage = {
      event: this.eventType || 'message',
      data: this.dataLines.join('\n'),
      id: this.lastId,
      retry: this.retry,
    }
    this.eventType = ''
    this.dataLines = []
    this.onMessage(message)
  }
}

/** Read a fetch body to its end, calling `onMessage` for each event. Resolves when the server closes the stream. */
export async function readSseStream(
  body: ReadableStream<Uint8Array>,
  onMessage: (message: SseMessage) => void,
): Promise<void> {
  const parser = new SseParser(onMessage)
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (value) parser.feed(value)
    }
    parser.end()
  } finally {
    reader.releaseLock()
  }
}
