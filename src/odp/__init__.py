"""ODP: typed, validated data and ML pipelines, run durably on Temporal."""

__version__ = "0.1.0"
