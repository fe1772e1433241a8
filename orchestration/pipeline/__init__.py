"""The pipeline's stages as plain functions (landing, extraction); Dagster assets call them."""
