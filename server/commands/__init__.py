"""The commands of `unspin` that run the server or talk to it (cli.py names them all)."""
