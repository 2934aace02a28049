"""Jobs: create, enqueue, run, heartbeat and recover background work (SAQ or in-process)."""
