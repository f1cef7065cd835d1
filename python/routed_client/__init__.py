# SPDX-License-Identifier: GPL-2.0-or-later
"""Clients of routed: UDP lookups and the control socket.

Two classes, standard library only:

- :class:`Client` answers longest-prefix-match lookups over routed's UDP
  lookup protocol (docs/lookup-protocol.md): batches of any size, several
  servers spread over and failed over, retries, timeouts and the
  protocol's validation of every response.
- :class:`Control` calls JSON-RPC methods on routed's control socket
  (docs/control-protocol.md) and returns their results.

Example::

    from routed_client import Client, Control
    c = Client("127.0.0.1:5300")
    for a in c.lookup(["10.1.2.3", "2001:db8::1"], table=0):
        print(a.address, a.prefix if a.found else "no route", a.via, a.tag)
    print(Control().call("info")["version"])
"""

from .control import Control, ControlError
from .errors import LookupTimeout, NoSuchTable, RoutedError
from .lookup import Answer, Client

__all__ = ["Answer", "Client", "Control", "ControlError", "LookupTimeout",
           "NoSuchTable", "RoutedError"]
