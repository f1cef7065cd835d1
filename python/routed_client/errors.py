# SPDX-License-Identifier: GPL-2.0-or-later
"""The exceptions of routed_client: all derive from RoutedError."""


class RoutedError(Exception):
    """Base class of every error routed_client raises on its own.

    Bad arguments raise ValueError or TypeError as usual; a control socket
    that cannot be reached raises OSError.
    """


class LookupTimeout(RoutedError, TimeoutError):
    """Some addresses of a lookup got no valid answer before the timeout.

    ``unanswered`` lists them (as given to :meth:`Client.lookup`).
    """

    def __init__(self, message, unanswered=()):
        super().__init__(message)
        self.unanswered = list(unanswered)


class NoSuchTable(RoutedError, LookupError):
    """The server has no table with the id asked for (status 1)."""

    def __init__(self, table):
        super().__init__("no table with id %d" % table)
        self.table = table
