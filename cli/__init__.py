"""The `kgtutor` command line: one module per click group."""
