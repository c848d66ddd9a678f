"""The evaluation worker: rubric scoring of answers and the end-of-interview report, with the evaluator model."""
