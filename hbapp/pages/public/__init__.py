"""Pages for everyone, signed in or not: help, accessibility statement, settings."""
