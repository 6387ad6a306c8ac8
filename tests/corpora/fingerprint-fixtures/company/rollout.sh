#!/usr/bin/env bash
# Rolls a service out to one region at a time, with a health gate between regions.
set -euo pipefail

SERVICE="${1:?usage: rollout.sh SERVICE VERSION}"
VERSION="${2:?usage: rollout.sh SERVICE VERSION}"
REGIONS=(eu-west us-east ap-south)
HEALTH_TIMEOUT=300

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

wait_healthy() {
  local region=$1 deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    local ready
    ready=$(kubectl --context "$region" -n "$SERVICE" get deploy "$SERVICE" \
      -o jsonpath='{.status.readyReplicas}/{.status.replicas}')
    if [[ "${ready%/*}" == "${ready#*/}" && "${ready%/*}" != "0" ]]; then
      log "$region: $ready ready"
      return 0
    fi
    sleep 10
  done
  return 1
}

for region in "${REGIONS[@]}"; do
  log "deploying $SERVICE $VERSION to $region"
  kubectl --context "$region" -n "$SERVICE" set image "deploy/$SERVICE" \
    "$SERVICE=registry.internal/$SERVICE:$VERSION"
  if ! wait_healthy "$region"; then
    log "$region unhealthy after ${HEALTH_TIMEOUT}s, rolling back"
    kubectl --context "$region" -n "$SERVICE" rollout undo "deploy/$SERVICE"
    exit 1
  fi
  if [[ -n "${SLACK_HOOK:-}" ]]; then
    curl -fsS -X POST -H 'content-type: application/json' \
      -d "{\"text\": \"$SERVICE $VERSION live in $region\"}" "$SLACK_HOOK" >/dev/null
  fi
done
log "done: $SERVICE $VERSION in ${#REGIONS[@]} regions"
