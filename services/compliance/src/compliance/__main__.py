"""``python -m compliance``: serve the compliance API (with its relay and gate consumers)."""

from goodfaith_runtime.serve import serve

if __name__ == "__main__":
    serve("compliance", default_port=8003)
