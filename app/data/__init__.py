"""Datasets: record models, loading with located errors, and the immutable Snapshot."""

from app.data.loader import load_snapshot
from app.data.snapshot import Membership, Snapshot

__all__ = ["Membership", "Snapshot", "load_snapshot"]
