#!/usr/bin/env bash
# Builds the DocC documentation of the KerasPort library (Sources/KerasPort/KerasPort.docc) and fails on any
# warning: a broken symbol link, a missing image, an unresolved article. Output: .build/docs/KerasPort.doccarchive.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log=/tmp/keras-port-docs.log
rm -rf .build/docs && mkdir -p .build/docs
swift package --allow-writing-to-directory .build/docs generate-documentation --target KerasPort \
    --output-path .build/docs/KerasPort.doccarchive --warnings-as-errors >"$log" 2>&1 || {
    grep -E "warning|error" "$log" | head -40 >&2
    echo "docs: DocC build failed; full log: $log" >&2
    exit 1
}
# SwiftPM's own notes about dependencies' files are not documentation warnings.
if grep -E "^(warning|error):|: warning:|: error:" "$log" | grep -qv "which are unhandled; explicitly declare them"; then
    grep -E "warning|error" "$log" | grep -v "which are unhandled" | head -40 >&2
    echo "docs: DocC printed warnings; full log: $log" >&2
    exit 1
fi
echo "docs: built .build/docs/KerasPort.doccarchive without warnings"
