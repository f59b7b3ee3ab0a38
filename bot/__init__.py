"""App wiring: the pipeline, the outbox, the channels, the web server and the CLI."""
