#!/usr/bin/env bash
# Upload a built progress-bulletin site to S3 or to S3-compatible object storage
# (Aliyun OSS, Tencent COS, MinIO, ...) with the AWS CLI, with the right
# Content-Type and Cache-Control for each kind of file.
#
#   deploy/s3-sync.sh [--dryrun] OUTPUT_DIR s3://BUCKET[/PREFIX] [AWS CLI OPTIONS...]
#
#   deploy/s3-sync.sh output s3://bulletin-site
#   deploy/s3-sync.sh --dryrun output s3://bulletin-site            # only list (a file may be
#                                                 listed twice: a dry run uploads nothing)
#   deploy/s3-sync.sh output s3://bulletin-site/bulletin            # under a sub-path
#   deploy/s3-sync.sh output s3://bulletin-site \
#       --endpoint-url https://oss-cn-hangzhou.aliyuncs.com            # Aliyun OSS
#   deploy/s3-sync.sh output s3://bulletin-site-1250000000 \
#       --endpoint-url https://cos.ap-guangzhou.myqcloud.com           # Tencent COS
#
# Order matters, so that no reader gets a page that points at a file not yet there:
#   1. fingerprinted assets (assets/app.852eda3584.css): cached for a year, immutable;
#   2. every other file that is not a page (data, search index, feed, ...): revalidated;
#   3. the pages (*.html), last: revalidated;
#   4. then files that are no longer in the site are deleted (--delete).
# Set KEEP_OLD_ASSETS=1 to keep old fingerprinted assets in step 4, for readers
# who still have an old page open. AWS=/path/to/aws picks another aws binary.
# Credentials and the region come from the usual AWS CLI settings (aws configure,
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...).
set -euo pipefail

usage() {
  echo "usage: $0 [--dryrun] OUTPUT_DIR s3://BUCKET[/PREFIX] [AWS CLI OPTIONS...]" >&2
}

aws=${AWS:-aws}
dry=()
if [ "${1:-}" = "--dryrun" ]; then
  dry=(--dryrun)
  shift
fi
if [ $# -lt 2 ]; then
  usage
  exit 2
fi
src=${1%/}
dest=${2%/}
shift 2
extra=("$@")
case "$dest" in
  s3://?*) ;;
  *) echo "s3-sync: the destination must look like s3://BUCKET or s3://BUCKET/PREFIX, not '$dest'" >&2
     exit 2 ;;
esac
if [ ! -f "$src/index.html" ]; then
  echo "s3-sync: $src/index.html not found: build the site first (bulletin build content --out $src)" >&2
  exit 2
fi
if ! command -v "$aws" >/dev/null; then
  echo "s3-sync: '$aws' not found: install the AWS CLI (pip install awscli) or set AWS=" >&2
  exit 2
fi

immutable="public, max-age=31536000, immutable"
revalidate="no-cache"

# Content types by file extension. Pages (html) are not here: they go last.
kinds=(
  "css|text/css; charset=utf-8"
  "js|text/javascript; charset=utf-8"
  "mjs|text/javascript; charset=utf-8"
  "json|application/json"
  "csv|text/csv; charset=utf-8"
  "svg|image/svg+xml"
  "xml|application/xml"
  "txt|text/plain; charset=utf-8"
  "wasm|application/wasm"
  "png|image/png"
  "jpg|image/jpeg"
  "jpeg|image/jpeg"
  "gif|image/gif"
  "webp|image/webp"
  "ico|image/x-icon"
  "woff2|font/woff2"
  "pdf|application/pdf"
)

# pass FILTERS... -- OPTIONS...: one `aws s3 sync` over the files the filters keep.
pass() {
  local filters=()
  while [ "$1" != "--" ]; do
    filters+=("$1")
    shift
  done
  shift
  echo "s3-sync: ${filters[*]}" >&2
  "$aws" s3 sync "$src" "$dest" ${dry[@]+"${dry[@]}"} --no-progress \
    ${filters[@]+"${filters[@]}"} "$@" ${extra[@]+"${extra[@]}"}
}

# has_asset EXT / has_other EXT: does the site have such a file (skip empty passes).
has_asset() { [ -n "$(find "$src/assets" -type f -name "*.$1" -print -quit 2>/dev/null)" ]; }
has_other() {
  [ -n "$(find "$src" -type f -name "*.$1" ! -path "$src/assets/*" ! -path "$src/feed.xml" -print -quit)" ]
}

# 1. Fingerprinted assets, one pass per kind, then any other file in assets/.
known=()
for kind in "${kinds[@]}"; do
  ext=${kind%%|*}
  type=${kind#*|}
  known+=(--exclude "*.$ext")
  if has_asset "$ext"; then
    pass --exclude '*' --include "assets/*.$ext" -- --content-type "$type" --cache-control "$immutable"
  fi
done
pass --exclude '*' --include 'assets/*' "${known[@]}" -- --cache-control "$immutable"

# 2. Everything else but pages: the feed (its own type), then by kind, then
#    whatever is left (the search index's own files) with the type the CLI guesses.
if [ -f "$src/feed.xml" ]; then
  pass --exclude '*' --include 'feed.xml' -- \
    --content-type "application/atom+xml; charset=utf-8" --cache-control "$revalidate"
fi
for kind in "${kinds[@]}"; do
  ext=${kind%%|*}
  type=${kind#*|}
  if has_other "$ext"; then
    pass --exclude '*' --include "*.$ext" --exclude 'assets/*' --exclude 'feed.xml' -- \
      --content-type "$type" --cache-control "$revalidate"
  fi
done
pass --exclude 'assets/*' --exclude '*.html' --exclude 'feed.xml' "${known[@]}" -- \
  --cache-control "$revalidate"

# 3. Pages, last.
pass --exclude '*' --include '*.html' -- \
  --content-type "text/html; charset=utf-8" --cache-control "$revalidate"

# 4. Delete what the site no longer has. --size-only: everything was uploaded above,
#    so this pass only deletes.
keep=()
if [ "${KEEP_OLD_ASSETS:-0}" = "1" ]; then
  keep=(--exclude 'assets/*')
fi
pass ${keep[@]+"${keep[@]}"} -- --delete --size-only
echo "s3-sync: done: $src -> $dest" >&2
