#!/bin/sh
# before_traffic hook of prod.deploy.yml: run by ecs-crd (no shell around it, in this folder)
# while the candidate has no traffic. It reaches the candidate past DNS: its slot ALB's URL,
# with the Host header the listener rule forwards on. A non-zero exit rolls the release back.
set -eu
for path in /health /api/v1/ping; do
  curl --fail --silent --show-error --max-time 10 \
    --retry 5 --retry-delay 2 --retry-all-errors \
    --header "Host: ${ECS_CRD_CANDIDATE_HOST}" \
    --output /dev/null \
    "${ECS_CRD_CANDIDATE_URL}${path}"
  echo "ok ${path} (version ${ECS_CRD_VERSION}, slot ${ECS_CRD_SLOT})"
done
