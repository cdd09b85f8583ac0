"""moto 5.2 in server mode, on 127.0.0.1 only, with three behaviours the sandbox needs.

moto reports every registered target `healthy`, never runs ECS tasks, and deletes every
weighted record sharing a SetIdentifier. The sandbox's stand-in ECS scheduler (the
`pulumi-resource-aws` stand-in) drives the first two through tags; the third is a moto
quirk fixed here so deletes are as precise as on AWS:

- a target group tagged `sandbox:health=<state>` (unhealthy, initial, draining, unavailable,
  unused) reports its registered targets in that state instead of `healthy`;
- an ECS service tagged `sandbox:health=crash` keeps `runningCount` at 0 whatever
  UpdateService(desiredCount) says (moto would set running = desired);
- a Route 53 DELETE with a SetIdentifier removes only the record with that name, type and
  SetIdentifier (moto removes every record of the zone with that SetIdentifier).

Usage: python3 server.py [--port N] [--port-file PATH]   (port 0, the default, picks a free one)
The first stdout line is `port=<n>`; SIGTERM, SIGINT or the end of stdin stops the server
(stdin is not watched when SANDBOX_MOTO_DETACHED=1).
"""

import argparse
import logging
import os
import signal
import sys
import threading

# Read by moto when a service is created: no task runs until the scheduler says so.
os.environ["MOTO_ECS_SERVICE_RUNNING"] = "0"
# AWS managed policies (AmazonECSTaskExecutionRolePolicy…) exist, so attaching them works.
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"

from moto.ecs.models import EC2ContainerServiceBackend  # noqa: E402
from moto.elbv2.models import ELBv2Backend  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402
from moto.route53.models import Route53Backend  # noqa: E402

HEALTH_TAG = "sandbox:health"

# State -> (reason, description) as AWS reports them for an ALB target group.
TARGET_STATES = {
    "initial": ("Elb.RegistrationInProgress", "Target registration is in progress"),
    "unhealthy": ("Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unavailable": ("Elb.InternalError", "Target health is unavailable"),
    "unused": ("Target.NotInUse", "Target group is not configured to receive traffic from the load balancer"),
}


def _patch_target_health() -> None:
    original = ELBv2Backend.describe_target_health

    def describe_target_health(self, target_group_arn, targets):  # type: ignore[no-untyped-def]
        statuses = original(self, target_group_arn, targets)
        state = self.tagging_service.get_tag_dict_for_resource(target_group_arn).get(HEALTH_TAG)
        if state in TARGET_STATES:
            reason, description = TARGET_STATES[state]
            for status in statuses:
                # Only registered targets: unregistered ones keep moto's answer.
                if status.status == "healthy":
                    status.status, status.reason, status.description = state, reason, description
        return statuses

    ELBv2Backend.describe_target_health = describe_target_health


def _is_crashing(service) -> bool:  # type: ignore[no-untyped-def]
    return any(t.get("key") == HEALTH_TAG and t.get("value") == "crash" for t in service.tags or [])


def _hold_crashing(service) -> None:  # type: ignore[no-untyped-def]
    if _is_crashing(service):
        service.running_count = 0
        service.pending_count = service.desired_count
        for deployment in service.deployments:
            deployment["runningCount"] = 0
            deployment["pendingCount"] = service.desired_count
            deployment["rolloutState"] = "IN_PROGRESS"


def _patch_ecs_crash() -> None:
    original_create = EC2ContainerServiceBackend.create_service
    original_update = EC2ContainerServiceBackend.update_service

    def create_service(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        service = original_create(self, *args, **kwargs)
        _hold_crashing(service)
        return service

    def update_service(self, service_properties):  # type: ignore[no-untyped-def]
        service = original_update(self, service_properties)
        _hold_crashing(service)
        return service

    EC2ContainerServiceBackend.create_service = create_service
    EC2ContainerServiceBackend.update_service = update_service


def _record_key(name: str, type_: str, set_identifier: str):  # type: ignore[no-untyped-def]
    return (name.rstrip(".").lower(), type_, set_identifier)


def _patch_route53_changes() -> None:
    original = Route53Backend.change_resource_record_sets
    # AWS applies a change batch atomically; moto's threaded server would interleave two batches
    # on one zone (an UPSERT could be lost under a concurrent DELETE's list rebuild).
    lock = threading.Lock()

    def change_resource_record_sets(self, zoneid, change_list):  # type: ignore[no-untyped-def]
        targeted = {
            _record_key(rr["Name"], rr["Type"], rr["SetIdentifier"])
            for rr in (c["ResourceRecordSet"] for c in change_list if c["Action"] == "DELETE")
            if "SetIdentifier" in rr
        }
        with lock:
            if not targeted:
                return original(self, zoneid, change_list)
            zone = self.get_hosted_zone(zoneid)
            before = list(zone.rrsets)
            original(self, zoneid, change_list)
            kept = {id(r) for r in zone.rrsets}
            set_ids = {key[2] for key in targeted}
            # Put back what moto removed only because it shared a SetIdentifier.
            for record in before:
                if (
                    id(record) not in kept
                    and record.set_identifier in set_ids
                    and _record_key(record.name, record.type, record.set_identifier) not in targeted
                ):
                    zone.rrsets.append(record)
        return None

    Route53Backend.change_resource_record_sets = change_resource_record_sets


def main() -> None:
    parser = argparse.ArgumentParser(description="moto server for the ecs-crd sandbox")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="also write the port to this file (for a detached start)")
    args = parser.parse_args()
    # One log line per request would fill a pipe nobody reads; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    _patch_target_health()
    _patch_ecs_crash()
    _patch_route53_changes()

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"port={port}", flush=True)
    if args.port_file:
        partial = f"{args.port_file}.tmp"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(f"{port}\n")
        os.replace(partial, args.port_file)

    stopped = threading.Event()

    def stop(_signum, _frame):  # type: ignore[no-untyped-def]
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Also stop when the parent closes our stdin (the harness died without a signal).
    if not sys.stdin.isatty() and os.environ.get("SANDBOX_MOTO_DETACHED") != "1":
        threading.Thread(target=lambda: (sys.stdin.read(), stopped.set()), daemon=True).start()
    stopped.wait()
    server.stop()


if __name__ == "__main__":
    main()
