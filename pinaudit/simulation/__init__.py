"""``pinaudit simulate`` (issue 11, SPEC §8): what a months-old cached layer installs versus what a
fresh build installs today.

``installs`` turns the scan's install sites into installs (one per command or file, with its
layer, stage, base image and Python version); ``gitcache`` infers each layer's cache date from git
history the way Docker's layer cache works; ``run`` resolves every install at every host's
instant and computes the drift; ``model`` holds the frozen values. Renderers live in
:mod:`pinaudit.output.simulation`. Nothing is imported here: ``scan`` never loads this package.
"""
