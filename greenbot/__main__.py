"""`python -m greenbot`: the `greenbot` command."""

from greenbot.root import main

main()
