"""Imports from participation platforms (Polis, Decidim): one conversation or category per axis."""
