"""The roof: the `greenbot` command (cli.py, commands/), the schema (migrate.py, migrations/,
models.py) and the composition root (root.py) that builds everything from Settings."""
