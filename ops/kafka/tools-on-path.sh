#!/bin/sh
# tools-on-path.sh BIN_DIR TARGET_DIR: for every BIN_DIR/<tool>.sh, an executable TARGET_DIR/<tool> that runs it with
# the same arguments. A wrapper, not a symlink: the Kafka scripts find kafka-run-class.sh relative to $0, which a
# symlink in another directory would break. ops/kafka/Dockerfile runs it; ComposeConsistencyTest runs it too.
set -eu
bin_dir=$1
target_dir=$2
mkdir -p "$target_dir"
for script in "$bin_dir"/*.sh; do
  [ -f "$script" ] || continue
  tool=$(basename "$script" .sh)
  printf '#!/bin/sh\nexec "%s" "$@"\n' "$script" > "$target_dir/$tool"
  chmod 755 "$target_dir/$tool"
done
