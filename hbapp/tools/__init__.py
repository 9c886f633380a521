"""Developer tools run by make targets."""
