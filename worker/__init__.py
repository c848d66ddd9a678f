"""Dramatiq workers: `evaluation` (answer scoring and report summaries with the evaluator model) and `vision`
(DeepFace expression analysis). Each runs as its own process group and, in production, its own container."""
