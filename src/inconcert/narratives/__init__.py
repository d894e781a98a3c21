"""Narratives, targets, amplified sources, fingerprints and matching (after detection).

`run_narratives` is the pipeline stage: it reads the networks found by detection and the
canonical posts, and writes the `narratives`, `narrative_posts`, `targets` and `sources` tables
(and `matches` when a fingerprint library is configured), their CSV files and their sections of
findings.json. See docs/narratives.md.
"""

from __future__ import annotations

from .stage import run_narratives

__all__ = ["run_narratives"]
