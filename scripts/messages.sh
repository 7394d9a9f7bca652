#!/usr/bin/env bash
# Update each app's zh_Hans catalogue from the code, then compile every catalogue.
# English needs no catalogue: the source strings are English.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/src/yizhan"
for app in */; do
  app=${app%/}
  [ -d "$app/locale" ] || continue
  (cd "$app" && "$root/.venv/bin/django-admin" makemessages -l zh_Hans --no-obsolete --no-location --ignore 'migrations/*' -v0)
done
"$root/.venv/bin/django-admin" compilemessages -v0
