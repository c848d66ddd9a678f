"""The media server: WebRTC ingest (aiortc), frame sampling for the vision worker, live speech-to-text."""
