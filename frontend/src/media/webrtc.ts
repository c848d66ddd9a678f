import { api } from '../api/client'
import type { MediaToken } from '../api/types'

// Sends the candidate's camera and microphone to the media server. The server (aiortc) does not trickle ICE, so the
// offer is only sent once gathering is complete and carries every candidate.

export type MediaConnectionState = 'connecting' | 'connected' | 'failed' | 'closed'

export interface MediaConnection {
  close: () => void
}

export function waitForIceGathering(pc: RTCPeerConnection, timeoutMs = 5000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve()
  return new Promise((resolve) => {
    // On a slow network an unreachable STUN server can stall gathering; host candidates are enough then.
    const timer = window.setTimeout(done, timeoutMs)
    function done() {
      window.clearTimeout(timer)
      pc.removeEventListener('icegatheringstatechange', check)
      resolve()
    }
    function check() {
      if (pc.iceGatheringState === 'complete') done()
    }
    pc.addEventListener('icegatheringstatechange', check)
  })
}

export function toRtcIceServers(token: MediaToken): RTCIceServer[] {
  return token.ice_servers.map((server) => ({
    urls: server.urls,
    ...(server.username ? { username: server.username } : {}),
    ...(server.credential ? { credential: server.credential } : {}),
  }))
}

export async function connectMedia(
  interviewId: string,
  stream: MediaStream,
  onState: (state: MediaConnectionState) => void,
): Promise<MediaConnection> {
  const token = await api.mediaToken(interviewId)
  const pc = new RTCPeerConnection({ iceServers: toRtcIceServers(token) })
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    pc.close()
    onState('closed')
  }
  pc.addEventListener('connectionstatechange', () => {
    if (closed) return
    if (pc.connectionState === 'connected') onState('connected')
    else if (pc.connectionState === 'failed') onState('failed')
    else if (pc.connectionState === 'disconnected') onState('connecting')
  })
  try {
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] })
    onState('connecting')
    await pc.setLocalDescription(await pc.createOffer())
    await waitForIceGathering(pc)
    const local = pc.localDescription
    if (!local) throw new Error('no local description')
    const answer = await api.sendOffer(token.offer_url, { sdp: local.sdp, type: 'offer', token: token.token })
    await pc.setRemoteDescription({ sdp: answer.sdp, type: 'answer' })
  } catch (error) {
    close()
    throw error
  }
  return { close }
}
