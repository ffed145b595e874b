"""Resolution at an instant (issue 11, SPEC §7-§8): what an install would get at a given moment.

``interface`` holds the :class:`~pinaudit.resolve.interface.Resolver` protocol, the frozen
requests and results it exchanges and the failure value; one module per resolver: ``uv`` and
``piptools`` (subprocess adapters around real Python resolvers), ``npm`` (npm's own picking rule
over packuments and publish times), ``apt`` (the archive's candidate at an instant); ``drift``
says how far two versions are apart, ``dates`` reads the instants users write. Nothing is
imported here: ``scan`` never loads this layer.
"""
