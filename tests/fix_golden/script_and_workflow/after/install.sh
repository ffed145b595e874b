#!/bin/sh
set -eu
apk add --no-cache curl=1.2.3
pip3 install "black==1.2.3" ruff==1.2.3
