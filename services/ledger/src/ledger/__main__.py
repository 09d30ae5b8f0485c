"""``python -m ledger``: serve the ledger API (with its relay, consumer and sweeper)."""

from goodfaith_runtime.serve import serve

if __name__ == "__main__":
    serve("ledger", default_port=8001)
