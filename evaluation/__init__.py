"""Evaluation harness and benchmarks for Atelier."""
