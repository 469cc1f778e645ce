"""The ``cpas`` command: ``main`` holds the command table; each command group has its own module."""
