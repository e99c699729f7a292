"""Batch review: many pairs from a CSV file through compare or explain, JSON lines out, and
one self-contained HTML report per run for a reviewer to open in a browser."""
