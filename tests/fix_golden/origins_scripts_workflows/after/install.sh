#!/bin/bash
NUMPY="==1.2.3"
export PKG=requests==1.2.3
: "${TOOL:=black==1.2.3}"
pip install "numpy$NUMPY" "$PKG" "$TOOL"
pip install "flask==$FLASKV"
npm install -g "typescript@${TS_VERSION:=1.2.3}"
FLASK_V="1.2.3"
pip install "flask==$FLASK_V"
