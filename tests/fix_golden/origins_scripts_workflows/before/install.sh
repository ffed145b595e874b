#!/bin/bash
NUMPY=">=1.2"
export PKG=requests
: "${TOOL:=black}"
pip install "numpy$NUMPY" "$PKG" "$TOOL"
pip install "flask==$FLASKV"
npm install -g "typescript@${TS_VERSION:=5}"
FLASK_V="3.*"
pip install "flask==$FLASK_V"
