"""Service layer: plain Python over the database, shared by the UI, the HTTP routes and the CLI."""
