"""The expression-analysis (vision) worker: DeepFace on webcam frames, offline, one process per core."""
