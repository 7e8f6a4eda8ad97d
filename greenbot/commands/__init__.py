"""`greenbot` sub-commands by domain (`greenbot reports …`, `greenbot campaigns …`,
`greenbot staff …`, `greenbot db …`): each module holds one typer app that `greenbot/cli.py`
mounts."""
