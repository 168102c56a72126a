#!/usr/bin/env bash
# npm run test:bundle: the portable bundle (tools/bundle.mjs) on a host that has no Node, npm or
# compiler: a Debian bookworm minbase built by debootstrap, cached in .cache/ (project-ignored).
# In a chroot with /proc and a private /dev/shm mounted: --version, the demo, and a capture of a
# process started inside the chroot, which the installed CLI then analyses outside. Then npm pack
# and npm install -g of the tarball into a temporary prefix. Root only (chroot, mount).
# Every mount, process and temporary file is removed on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test:bundle: needs root (debootstrap, chroot, mount)" >&2; exit 1; }

root=.cache/bundle-chroot-bookworm
passed=0
failed=0
target=""
prefix=""
mounted=()
cleanup() {
  [ -n "$target" ] && kill "$target" 2>/dev/null || true
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true; done
  rm -rf "$root/opt/pagescope-test" "$root/tmp/pagescope-test"
  [ -n "$prefix" ] && rm -rf "$prefix"
  return 0
}
trap cleanup EXIT
# Interrupted or terminated: exit, so that the EXIT trap unmounts.
trap "exit 130" INT TERM
check() { # check NAME COMMAND...: runs it, counts it
  if "${@:2}"; then passed=$((passed + 1)); echo "ok: $1"; else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

# Debian's mirror as apt is set up on this machine (deb822 sources or sources.list).
mirror=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ && u { print u; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "test:bundle: no Debian bookworm mirror in the apt sources" >&2; exit 1; }

start_s=$SECONDS
if [ ! -e "$root/.complete" ]; then
  rm -rf "$root.tmp"
  mkdir -p .cache
  debootstrap --variant=minbase bookworm "$root.tmp" "$mirror" >/dev/null
  touch "$root.tmp/.complete"
  rm -rf "$root"
  mv "$root.tmp" "$root"
  echo "test:bundle: debootstrap took $((SECONDS - start_s)) s"
fi
# In the chroot, the environment of a fresh root login, none of this machine's.
clean_env=(/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C)
in_chroot() { chroot "$root" "${clean_env[@]}" "$@"; }
# The premise: nothing of Node in the chroot.
if in_chroot sh -c 'command -v node || command -v npm || command -v cc' >/dev/null; then
  echo "test:bundle: $root has node, npm or a compiler" >&2
  exit 1
fi

npm run bundle --silent
version=$(node -p 'require("./package.json").version')
bundle="release/pagescope-$version-linux-x64.tar.gz"
commit=$(node -p 'require("./dist/build-info.json").commit')
mkdir -p "$root/opt/pagescope-test" "$root/tmp/pagescope-test"
cp "$bundle" "$root/opt/pagescope-test/"
# Unpacked by the chroot's own tar, as on the production host.
in_chroot tar xzf "/opt/pagescope-test/$(basename "$bundle")" -C /opt/pagescope-test
cli="/opt/pagescope-test/pagescope-$version-linux-x64/pagescope"

mount -t proc proc "$root/proc"; mounted+=("$root/proc")
mount -t tmpfs -o size=256m,mode=1777 tmpfs "$root/dev/shm"; mounted+=("$root/dev/shm")

out=$(in_chroot "$cli" --version)
echo "$out"
check "--version names the version, the commit, the build date and Node" \
  grep -qzE "pagescope $version \(commit $commit\).*built [0-9]{4}-[0-9]{2}-[0-9]{2}T.* with Node $(node -p process.version)" <<<"$out"

check "demo runs in the chroot" sh -c '"$@" >/dev/null' sh chroot "$root" "${clean_env[@]}" "$cli" demo --quiet --dir /tmp/pagescope-test/demo
check "the demo wrote its capture and report" test -s "$root/tmp/pagescope-test/demo/demo.db" -a -s "$root/tmp/pagescope-test/demo/demo.html"

# A process started inside the chroot, captured from inside it.
# chroot and env exec: $! is the sleep itself.
chroot "$root" "${clean_env[@]}" sleep 600 &
target=$!
for _ in $(seq 50); do [ "$(readlink "/proc/$target/root")" != / ] && grep -q '^sleep' "/proc/$target/comm" 2>/dev/null && break; sleep 0.1; done
check "capture --pid of the chroot's process" in_chroot "$cli" capture --quiet --pid "$target" -o /tmp/pagescope-test/inside.db
kill "$target"; wait "$target" 2>/dev/null || true; target=""
check "export of that capture to Parquet in the chroot" in_chroot "$cli" export --quiet /tmp/pagescope-test/inside.db -o /tmp/pagescope-test/fleet
check "the export holds the capture's row and its VMAs" sh -c "ls '$root'/tmp/pagescope-test/fleet/captures/*.parquet >/dev/null && ls '$root'/tmp/pagescope-test/fleet/vmas/*.parquet >/dev/null"

# Read outside, by the CLI installed here.
inside="$root/tmp/pagescope-test/inside.db"
check "analyze summary outside reads the bundle's capture" sh -c "node dist/bin/pagescope.js analyze '$inside' summary | grep -q '^capture  *tool_version  *$version '"
meta() { node dist/bin/pagescope.js analyze "$inside" sql "SELECT value FROM capture_meta WHERE key = '$1'" --format csv | tail -n 1; }
check "the capture records the bundle's commit" test "$(meta tool_commit)" = "$commit"
check "the capture records the bundle's build date" grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$(meta tool_bundle_built_utc)"
check "the captured process is the chroot's sleep" test "$(node dist/bin/pagescope.js analyze "$inside" sql 'SELECT comm FROM processes' --format csv | tail -n 1)" = sleep

# In this clone: npx finds the project's own bin, with nothing to fetch.
check "npx pagescope --version in the clone" sh -c "npx --no -- pagescope --version | grep -q '^pagescope $version (commit $commit)'"

# npm pack, npm install -g of the tarball into a temporary prefix: pagescope from there alone.
prefix=$(mktemp -d /tmp/pagescope-prefix-XXXXXX)
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$prefix" | tail -n 1)
check "the npm package holds no test" sh -c "! tar tzf '$prefix/$tarball' | grep -q '^package/dist/test/'"

npm install -g --prefix "$prefix" --no-audit --no-fund --loglevel=error "$prefix/$tarball" >/dev/null
check "pagescope --version from the prefix" sh -c "PATH='$prefix/bin:/usr/bin:/bin' pagescope --version | grep -q '^pagescope $version (commit $commit)'"
check "pagescope capture --pid \$\$ from the prefix" sh -c "PATH='$prefix/bin:/usr/bin:/bin' pagescope capture --quiet --pid \$\$ -o '$prefix/self.db' && test -s '$prefix/self.db'"

echo "test:bundle: $(du -h "$bundle" | cut -f1) bundle, $((SECONDS - start_s)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
