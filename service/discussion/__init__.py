"""Reviewers' discussion: threads on clusters, key points, pitch sentences and whole pitches."""
