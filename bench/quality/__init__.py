"""Model qualification (issue 16): how well a model scores answers (`evaluator`) and asks questions
(`interviewer`), measured through the product's own code paths. `python -m bench.quality --help`; results in
docs/benchmarks/quality.md. Not a `make bench` module (those are speed/memory figures; this is a package and
runs far longer): `make quality`."""
