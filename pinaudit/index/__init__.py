"""Package indexes behind one small interface (issue 10, SPEC §7).

``interface`` holds the :class:`~pinaudit.index.interface.Index` protocol, the frozen values it
exchanges and its typed failures; ``http`` the one transport every client shares; one module per
index kind (``pypi``, ``npm``, ``debian``, ``alpine``, ``oci``); ``sources`` reads where the user's
own configuration puts the indexes. Nothing is imported here: a static scan never loads this
layer, and a command imports only the clients it needs.
"""
