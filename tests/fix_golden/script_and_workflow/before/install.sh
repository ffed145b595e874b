#!/bin/sh
set -eu
apk add --no-cache curl
pip3 install "black~=24.1" ruff
