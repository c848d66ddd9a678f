/** What a stubbed `fetch` was asked for: openapi-fetch passes a Request, the EventSource-free code a URL + init. */
export async function requestOf(input: RequestInfo | URL, init?: RequestInit) {
  const request = input instanceof Request ? input : new Request(new URL(String(input), window.location.origin), init)
  const url = new URL(request.url)
  const text = request.body ? await request.clone().text() : ''
  let body: unknown = text || undefined
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON (a form): keep the text
  }
  return { method: request.method, path: url.pathname, key: `${request.method} ${url.pathname}`, body, request }
}
