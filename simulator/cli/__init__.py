"""The command line (`backfire`): the shell around the domain. `main.py` dispatches; each family adds its commands."""
