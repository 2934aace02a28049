"""One metric per module, each with a doctested example."""
