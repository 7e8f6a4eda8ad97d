"""GreenBot's shell: settings, database, clock and the `greenbot` command."""
