"""Sub-commands of the `hb` console script, one module each with `register(subparsers)`."""
