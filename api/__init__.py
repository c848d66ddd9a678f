"""The FastAPI app: accounts, interview setup, streamed questions, answers, live events, reports."""
