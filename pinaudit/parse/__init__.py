"""Front-ends: turn file text into structures with positions mapped to physical lines."""
