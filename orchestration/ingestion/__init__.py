"""Reading inbox files into articles: Dagster-free, one reader per format."""
