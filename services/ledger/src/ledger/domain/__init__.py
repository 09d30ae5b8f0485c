"""Pure, synchronous domain of the ledger: no I/O, no framework imports."""
