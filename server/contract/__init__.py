"""The v1 contract without HTTP: a request checked into an engine call, the answer with offsets in the caller's unit."""
