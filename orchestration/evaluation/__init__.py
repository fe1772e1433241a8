"""Measures the extraction library on real news read in place from `../shared/data` (never copied):
`python -m orchestration.evaluation` for accuracy, `python -m orchestration.evaluation.bench` for speed."""
