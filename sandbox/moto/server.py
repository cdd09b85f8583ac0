"""moto 5.2 in server mode, on 127.0.0.1 only, with three behaviours the sandbox needs.

moto reports every registered target `healthy`, never runs ECS tasks, deletes every
weighted record sharing a SetIdentifier, forgets a deregistered target at once and lets a
service be created over a live one of the same name. The sandbox's stand-in ECS scheduler
(the `pulumi-resource-aws` stand-in) drives the first two through tags; the rest are fixed
here so the emulator is as strict as AWS:

- a target group tagged `sandbox:health=<state>` (unhealthy, initial, draining, unavailable,
  unused) reports its registered targets in that state instead of `healthy`; tagged
  `slow-start`, each target is `initial` for SLOW_START_S after its registration, then healthy;
- an ECS service tagged `sandbox:health=crash` keeps `runningCount` at 0 whatever
  UpdateService(desiredCount) says (moto would set running = desired);
- an ECS service tagged `sandbox:health=flaky-start` gets one task of its deployment stopped
  with `TaskFailedToStart` (as a role not yet usable gives), replaced at once;
- a Route 53 DELETE with a SetIdentifier removes only the record with that name, type and
  SetIdentifier (moto removes every record of the zone with that SetIdentifier);
- a Route 53 change is PENDING, each with its own id, for the time Route 53 takes to
  propagate it to its name servers (ROUTE53_INSYNC_S, about a minute of AWS), then INSYNC
  (GetChange; Route 53 API Reference, ChangeResourceRecordSets);
- a deregistered target stays `draining` for its target group's deregistration delay
  (`deregistration_delay.timeout_seconds`, 300 by default), then leaves (ELB User Guide,
  "Deregistration delay");
- a rule's actions are refused as ELBv2 refuses them and moto does not (one routing action,
  last; authentication on HTTPS listeners only; no redirect to itself), and a target group
  attribute an ALB target group does not have is refused;
- a listener rule takes at most 5 condition values, host headers and paths together
  (ELB User Guide, "Quotas for your Application Load Balancers"); an IAM role's inline
  policies total at most 10,240 characters, whitespace not counted (IAM User Guide, "IAM and
  AWS STS quotas");
- a deleted ECS service stays `DRAINING` while its target groups drain, then turns
  `INACTIVE` (ECS API Reference, DeleteService); CreateService refuses the name of an ACTIVE
  service ("Creation of service was not idempotent.") and of a DRAINING one ("Unable to
  Start a service that is still Draining."), as ECS does; UpdateService of a service that
  is not ACTIVE fails with ServiceNotActiveException.
- RegisterTaskDefinition refuses what ECS refuses of the keys a release may set (Fargate
  without host paths, Docker volumes, privileged, ipcMode…; links outside bridge mode; a mount
  of an unknown volume; EFS authorization without transit encryption; see
  `_task_definition_problems`), and one over 64 KiB ("Actual length: '66420'. Max allowed length
  is '65536' bytes.", Amazon ECS service quotas, "Task definition size"); CreateService keeps `capacityProviderStrategy`,
  `enableExecuteCommand`, `healthCheckGracePeriodSeconds` and the placement (moto drops them) and refuses a
  launch type beside a strategy, or a provider the cluster does not have.

- an S3 PutObject or DeleteObject that carries `If-None-Match` or `If-Match` is one atomic step:
  of two such writes on one key at once, exactly one succeeds and the other gets 412 (S3 User
  Guide, "Add preconditions to S3 operations with conditional requests": "If multiple
  conditional writes occur for the same object name, the first write operation to finish
  succeeds"); moto checks the condition, then writes, on a threaded server. Every other write
  of an object takes the same lock, so none slips in between a check and its write either.

- an SNS Publish subject with a line break or a control character, or empty, is refused, as is
  a message over 262,144 bytes (moto counts characters), and a topic that does not exist is
  named as such (SNS API Reference, Publish).

CloudWatch (sandbox_cloudwatch.py): percentiles, CloudWatch's periods, a metric matched by its
namespace and exact dimensions, and alarms that start in INSUFFICIENT_DATA.

Throttling, on demand: `POST /_sandbox/throttle?rate=R&seed=S` makes that share of the
ELBv2, Route 53 and ECS requests fail as AWS does when its rate limit is exceeded (ELBv2
`Throttling`, Route 53 `Throttling` or, on a record change, `PriorRequestNotComplete`, ECS
`ThrottlingException`; HTTP 400), from a seeded generator; `rate=0` stops it. Requests whose
user agent names `sandbox-observer` (the traffic model's reads) are never throttled or refused.

A failure, on demand: `POST /_sandbox/fail?operation=OP&after=N` makes the call of
operation OP (ChangeResourceRecordSets, CreateRule, CreateService…) that comes after N more
of them fail once, with the error AWS gives for a request it refuses (Route 53
`InvalidInput`, ELBv2 `ValidationError`, ECS `ClientException`; HTTP 400, never retried):
an update the engine cannot finish, at a chosen point of a deployment.

Sandbox time runs faster than AWS's: every drain lasts its AWS duration times
SANDBOX_TIME_SCALE (default 1/60, so a minute of AWS is a second here, like the TTLs).

Usage: python3 server.py [--port N] [--port-file PATH]   (port 0, the default, picks a free one)
The first stdout line is `port=<n>`; SIGTERM, SIGINT or the end of stdin stops the server
(stdin is not watched when SANDBOX_MOTO_DETACHED=1).
"""

import argparse
import io
import json
import logging
import os
import random
import signal
import sys
import threading
import time

# Read by moto when a service is created: no task runs until the scheduler says so.
os.environ["MOTO_ECS_SERVICE_RUNNING"] = "0"
# AWS managed policies (AmazonECSTaskExecutionRolePolicy…) exist, so attaching them works.
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"

from moto.ecs.exceptions import ECSException, EcsClientException, InvalidParameterException  # noqa: E402
from moto.ecs.models import EC2ContainerServiceBackend, Task  # noqa: E402
from moto.ecs.responses import EC2ContainerServiceResponse  # noqa: E402
from moto.elbv2.exceptions import ELBClientError  # noqa: E402
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup, elbv2_backends  # noqa: E402
from moto.iam.exceptions import LimitExceededException  # noqa: E402
from moto.iam.models import IAMBackend  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # noqa: E402
from moto.route53.models import Route53Backend  # noqa: E402
from moto.s3.responses import S3Response  # noqa: E402
from moto.route53.exceptions import Route53ClientError  # noqa: E402
from moto.route53.responses import Route53  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402
from moto.core.utils import utcnow  # noqa: E402
from sandbox_cloudwatch import patch_cloudwatch  # noqa: E402

HEALTH_TAG = "sandbox:health"
# Sandbox seconds per AWS second, for every drain (a minute of AWS is a second here).
TIME_SCALE = float(os.environ.get("SANDBOX_TIME_SCALE") or 1 / 60)
# What a target group drains for when its attribute was never set (ELB User Guide).
AWS_DEFAULT_DEREGISTRATION_DELAY = 300
# How long Route 53 takes to propagate a change to all its name servers: "generally within 60
# seconds" (Route 53 Developer Guide, ChangeResourceRecordSets / GetChange).
ROUTE53_INSYNC_S = 60
# How long a target of a group tagged `sandbox:health=slow-start` stays `initial`: an
# application that takes two minutes to answer its health checks.
SLOW_START_S = 120

# State -> (reason, description) as AWS reports them for an ALB target group.
TARGET_STATES = {
    "initial": ("Elb.RegistrationInProgress", "Target registration is in progress"),
    "unhealthy": ("Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unavailable": ("Elb.InternalError", "Target health is unavailable"),
    "unused": ("Target.NotInUse", "Target group is not configured to receive traffic from the load balancer"),
}


def _drain_seconds(target_group) -> float:  # type: ignore[no-untyped-def]
    delay = target_group.attributes.get("deregistration_delay.timeout_seconds", AWS_DEFAULT_DEREGISTRATION_DELAY)
    return float(delay) * TIME_SCALE


def _draining(target_group) -> dict:  # type: ignore[no-untyped-def]
    """Target id -> (target, when its drain ends); drains that ended are dropped here."""
    entries = target_group.__dict__.setdefault("sandbox_draining", {})
    now = time.monotonic()
    for target_id in [tid for tid, (_, until) in entries.items() if until <= now]:
        del entries[target_id]
    return entries


def _patch_target_draining() -> None:
    """A deregistered target keeps its in-flight requests for the deregistration delay: it is
    reported `draining` (Target.DeregistrationInProgress) until then and gets no new request."""
    original_register = FakeTargetGroup.register
    original_deregister = FakeTargetGroup.deregister
    original_health_for = FakeTargetGroup.health_for

    def register(self, targets):  # type: ignore[no-untyped-def]
        original_register(self, targets)
        registered_at = self.__dict__.setdefault("sandbox_registered_at", {})
        for target in targets:
            _draining(self).pop(target["Id"], None)
            registered_at[target["Id"]] = time.monotonic()

    def deregister(self, targets):  # type: ignore[no-untyped-def]
        draining = _draining(self)
        # Deregistering a target that is already draining changes nothing, as on AWS.
        fresh = [t for t in targets if t["Id"] not in draining]
        leaving = {t["Id"]: self.targets.get(t["Id"]) for t in fresh}
        original_deregister(self, fresh)
        until = time.monotonic() + _drain_seconds(self)
        for target_id, target in leaving.items():
            if target is not None and until > time.monotonic():
                draining[target_id] = (target, until)

    def health_for(self, target, ec2_backend):  # type: ignore[no-untyped-def]
        if target["Id"] in _draining(self) and target["Id"] not in self.targets:
            kept, _ = _draining(self)[target["Id"]]
            reason, description = TARGET_STATES["draining"]
            return FakeHealthStatus(
                kept["Id"], kept["Port"], self.health_check_port, "draining", reason, description
            )
        return original_health_for(self, target, ec2_backend)

    FakeTargetGroup.register = register
    FakeTargetGroup.deregister = deregister
    FakeTargetGroup.health_for = health_for


def _patch_target_health() -> None:
    original = ELBv2Backend.describe_target_health

    def describe_target_health(self, target_group_arn, targets):  # type: ignore[no-untyped-def]
        group = self.target_groups.get(target_group_arn)
        if group is not None and not targets:
            # AWS lists draining targets with the registered ones.
            targets = list(group.targets.values()) + [t for t, _ in _draining(group).values()]
        statuses = original(self, target_group_arn, targets)
        state = self.tagging_service.get_tag_dict_for_resource(target_group_arn).get(HEALTH_TAG)
        if state == "slow-start" and group is not None:
            # Each target is `initial` until it has been registered SLOW_START_S (scaled).
            # Registered, its first health checks under way (ELB's reason for that phase).
            reason, description = "Elb.InitialHealthChecking", "Initial health checks in progress"
            started = group.__dict__.get("sandbox_registered_at", {})
            ready = time.monotonic() - SLOW_START_S * TIME_SCALE
            for status in statuses:
                if status.status == "healthy" and started.get(status.instance_id, 0) > ready:
                    status.status, status.reason, status.description = "initial", reason, description
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


class ServiceNotActiveException(ECSException):
    def __init__(self) -> None:
        super().__init__("ServiceNotActiveException", "Service was not ACTIVE.")


def _settle(service) -> str:  # type: ignore[no-untyped-def]
    """The service's status now: a DRAINING service whose drain ended is INACTIVE."""
    if service.status == "DRAINING" and getattr(service, "sandbox_inactive_at", 0) <= time.monotonic():
        service.status = "INACTIVE"
    return service.status


def _record_flaky_start(backend, service) -> None:  # type: ignore[no-untyped-def]
    """One task of the service's deployment, stopped at start on a transient cause (once)."""
    flaky = any(t.get("key") == HEALTH_TAG and t.get("value") == "flaky-start" for t in service.tags or [])
    if not flaky or getattr(service, "sandbox_flaky_recorded", False):
        return
    service.sandbox_flaky_recorded = True
    cluster = backend._get_cluster(service.cluster_name)
    task = Task(
        cluster,
        backend.describe_task_definition(service.task_definition),
        None,
        None,
        backend,
        f"service:{service.name}",
        launch_type=service.launch_type or "EC2",
        started_by=service.deployments[0]["id"] if service.deployments else "",
        networking_configuration=service.network_configuration or None,
    )
    task.desired_status = "STOPPED"
    task.last_status = "STOPPED"
    task.stop_code = "TaskFailedToStart"
    task.stopped_reason = (
        "ResourceInitializationError: unable to pull secrets or registry auth: the execution role "
        "cannot be assumed yet (sandbox flaky-start)"
    )
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task


def _patch_ecs_services() -> None:
    original_create = EC2ContainerServiceBackend.create_service
    original_update = EC2ContainerServiceBackend.update_service
    original_delete = EC2ContainerServiceBackend.delete_service
    original_describe = EC2ContainerServiceBackend.describe_services

    def create_service(self, cluster_str, service_name, *args, **kwargs):  # type: ignore[no-untyped-def]
        existing = self.services.get(f"{self._get_cluster(cluster_str).name}:{service_name}")
        # Service names are unique per cluster among ACTIVE and DRAINING services (ECS API
        # Reference, CreateService); moto would silently replace the live one.
        if existing is not None and _settle(existing) == "ACTIVE":
            raise InvalidParameterException("Creation of service was not idempotent.")
        if existing is not None and existing.status == "DRAINING":
            raise InvalidParameterException("Unable to Start a service that is still Draining.")
        service = original_create(self, cluster_str, service_name, *args, **kwargs)
        _hold_crashing(service)
        _record_flaky_start(self, service)
        return service

    def update_service(self, service_properties):  # type: ignore[no-untyped-def]
        name = service_properties.get("service", "").split("/")[-1]
        cluster = self._get_cluster(service_properties.get("cluster", "default"))
        existing = self.services.get(f"{cluster.name}:{name}")
        if existing is not None and _settle(existing) != "ACTIVE":
            raise ServiceNotActiveException()
        service = original_update(self, service_properties)
        _hold_crashing(service)
        return service

    def delete_service(self, cluster_name, service_name, force):  # type: ignore[no-untyped-def]
        existing = self._get_service(cluster_name, service_name)
        if _settle(existing) == "DRAINING":
            # A second delete while it drains changes nothing: AWS answers with the service.
            return existing
        if existing.status == "INACTIVE":
            raise ServiceNotActiveException()
        service = original_delete(self, cluster_name, service_name, force)
        groups = elbv2_backends[self.account_id][self.region_name].target_groups
        drain = max(
            (
                _drain_seconds(groups[lb["targetGroupArn"]])
                for lb in service.load_balancers
                if lb.get("targetGroupArn") in groups
            ),
            default=0.0,
        )
        if drain > 0:
            # Its tasks keep serving in-flight requests until their targets have drained.
            service.status = "DRAINING"
            service.sandbox_inactive_at = time.monotonic() + drain
        return service

    def describe_services(self, cluster_str, service_names_or_arns):  # type: ignore[no-untyped-def]
        found, failures = original_describe(self, cluster_str, service_names_or_arns)
        for service in found:
            _settle(service)
        return found, failures

    original_tag = EC2ContainerServiceBackend.tag_resource

    def tag_resource(self, resource_arn, tags):  # type: ignore[no-untyped-def]
        original_tag(self, resource_arn, tags)
        if ":service/" in resource_arn:
            _record_flaky_start(self, self._get_resource(resource_arn, self._parse_resource_arn(resource_arn)))

    EC2ContainerServiceBackend.tag_resource = tag_resource
    EC2ContainerServiceBackend.create_service = create_service
    EC2ContainerServiceBackend.update_service = update_service
    EC2ContainerServiceBackend.delete_service = delete_service
    EC2ContainerServiceBackend.describe_services = describe_services


# What RegisterTaskDefinition refuses (ECS API Reference, RegisterTaskDefinition,
# ContainerDefinition, Volume, EFSVolumeConfiguration, LinuxParameters, EphemeralStorage);
# moto checks only a Fargate pidMode. Each rule: the AWS field's documented restriction.
FARGATE_ADDABLE_CAPABILITIES = {"SYS_PTRACE"}
EPHEMERAL_STORAGE_GIB = (21, 200)


def _task_definition_problems(
    container_definitions, volumes, network_mode, requires_compatibilities, ipc_mode, ephemeral_storage
) -> list:  # type: ignore[no-untyped-def]
    """Why ECS would refuse this task definition, as ClientException messages; [] when it would not."""
    fargate = "FARGATE" in (requires_compatibilities or [])
    # ECS's default network mode is bridge, but a Fargate task definition is awsvpc (moto agrees).
    mode = network_mode or ("awsvpc" if fargate else "bridge")
    problems = []
    if fargate and ipc_mode:
        problems.append(f"Tasks using the Fargate launch type do not support ipcMode '{ipc_mode}'.")
    size = (ephemeral_storage or {}).get("sizeInGiB")
    if size is not None and not EPHEMERAL_STORAGE_GIB[0] <= size <= EPHEMERAL_STORAGE_GIB[1]:
        problems.append(
            f"The ephemeral storage size must be between {EPHEMERAL_STORAGE_GIB[0]} and {EPHEMERAL_STORAGE_GIB[1]} GiB."
        )
    names = set()
    for volume in volumes or []:
        names.add(volume.get("name"))
        if fargate and (volume.get("host") or {}).get("sourcePath"):
            problems.append(f"Volume '{volume.get('name')}': host sourcePath is not supported by tasks run on Fargate.")
        if fargate and volume.get("dockerVolumeConfiguration") is not None:
            problems.append(f"Volume '{volume.get('name')}': Docker volumes are not supported by tasks run on Fargate.")
        efs = volume.get("efsVolumeConfiguration")
        if efs:
            authorization = efs.get("authorizationConfig") or {}
            needs_tls = authorization.get("iam") == "ENABLED" or authorization.get("accessPointId")
            if needs_tls and efs.get("transitEncryption") != "ENABLED":
                problems.append(
                    f"Volume '{volume.get('name')}': transit encryption must be enabled when EFS IAM authorization or an access point is used."
                )
            if authorization.get("accessPointId") and efs.get("rootDirectory") not in (None, "", "/"):
                problems.append(
                    f"Volume '{volume.get('name')}': the root directory must be omitted or '/' when an access point is used."
                )
    containers = {c.get("name") for c in container_definitions}
    for container in container_definitions:
        name = container.get("name")
        if container.get("links") and mode != "bridge":
            problems.append(f"Container '{name}': links are only supported in the bridge network mode.")
        if container.get("hostname") and mode in ("awsvpc", "host"):
            problems.append(f"Container '{name}': hostname is not supported in the {mode} network mode.")
        if fargate and container.get("privileged"):
            problems.append(f"Container '{name}': privileged is not supported by tasks run on Fargate.")
        if fargate and container.get("dockerSecurityOptions"):
            problems.append(f"Container '{name}': dockerSecurityOptions is not supported by tasks run on Fargate.")
        linux = container.get("linuxParameters") or {}
        if fargate and linux.get("sharedMemorySize") is not None:
            problems.append(f"Container '{name}': sharedMemorySize is not supported by tasks run on Fargate.")
        added = set((linux.get("capabilities") or {}).get("add") or [])
        if fargate and added - FARGATE_ADDABLE_CAPABILITIES:
            problems.append(f"Container '{name}': tasks run on Fargate can only add the SYS_PTRACE capability.")
        for mount in container.get("mountPoints") or []:
            if mount.get("sourceVolume") not in names:
                problems.append(
                    f"Invalid 'mountPoints' setting for container '{name}': sourceVolume '{mount.get('sourceVolume')}' is not a volume of the task definition."
                )
        for dependency in container.get("dependsOn") or []:
            if dependency.get("containerName") not in containers:
                problems.append(
                    f"Container '{name}' depends on '{dependency.get('containerName')}', which is not a container of the task definition."
                )
    return problems


# Amazon ECS service quotas, "Task definition size": 64 KiB, not adjustable.
TASK_DEFINITION_MAX_BYTES = 65536


def _task_definition_size(family, container_definitions, fields) -> int:  # type: ignore[no-untyped-def]
    """The request's JSON as ECS would measure it, near enough: the fields moto was given, compact."""
    given = {key: value for key, value in fields.items() if value not in (None, [], {})}
    document = {"family": family, "containerDefinitions": container_definitions, **given}
    return len(json.dumps(document, separators=(",", ":"), default=str).encode())


def _patch_ecs_task_definitions() -> None:
    original = EC2ContainerServiceBackend.register_task_definition

    def register_task_definition(self, family, container_definitions, *args, **kwargs):  # type: ignore[no-untyped-def]
        problems = _task_definition_problems(
            container_definitions,
            kwargs.get("volumes"),
            kwargs.get("network_mode"),
            kwargs.get("requires_compatibilities"),
            kwargs.get("ipc_mode"),
            kwargs.get("ephemeral_storage"),
        )
        if problems:
            raise EcsClientException(problems[0])
        size = _task_definition_size(family, container_definitions, kwargs)
        if size > TASK_DEFINITION_MAX_BYTES:
            raise EcsClientException(f"Actual length: '{size}'. Max allowed length is '{TASK_DEFINITION_MAX_BYTES}' bytes.")
        return original(self, family, container_definitions, *args, **kwargs)

    EC2ContainerServiceBackend.register_task_definition = register_task_definition


def _check_capacity_providers(backend, cluster_str: str, strategy) -> None:  # type: ignore[no-untyped-def]
    """A strategy may name only providers associated with the cluster (PutClusterCapacityProviders)."""
    cluster = backend._get_cluster(cluster_str or "default")
    associated = set(cluster.capacity_providers or [])
    for item in strategy or []:
        if item.get("capacityProvider") not in associated:
            raise InvalidParameterException(
                "The specified capacity provider strategy cannot contain a capacity provider that is not "
                "associated with the cluster. Associate the capacity provider with the cluster or specify "
                "a valid capacity provider and try again."
            )


def _patch_ecs_capacity_providers() -> None:
    """CreateService's capacityProviderStrategy and enableExecuteCommand, which moto drops.

    ECS refuses a launch type beside a strategy (CreateService: "If a capacityProviderStrategy
    is specified, the launchType parameter must be omitted") and a provider the cluster does not
    have; a service with a strategy reports no launch type.
    """
    original_create = EC2ContainerServiceResponse.create_service
    original_update = EC2ContainerServiceBackend.update_service

    def create_service(self):  # type: ignore[no-untyped-def]
        strategy = self._get_param("capacityProviderStrategy") or []
        if strategy and self._get_param("launchType"):
            raise InvalidParameterException(
                "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."
            )
        _check_capacity_providers(self.ecs_backend, self._get_param("cluster", "default"), strategy)
        result = original_create(self)
        service = result.result["service"]
        service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
        service.health_check_grace_period_seconds = self._get_param("healthCheckGracePeriodSeconds")
        # moto takes the placement of a service but never reports it (UpdateService sets any field).
        service.placement_constraints = self._get_param("placementConstraints") or []
        service.placement_strategy = self._get_param("placementStrategy") or []
        if strategy:
            service.capacity_provider_strategy = strategy
            service.launch_type = None
            for deployment in service.deployments:
                deployment["launchType"] = None
                deployment["capacityProviderStrategy"] = strategy
        return result

    def update_service(self, service_properties):  # type: ignore[no-untyped-def]
        strategy = service_properties.get("capacity_provider_strategy")
        if strategy:
            _check_capacity_providers(self, service_properties.get("cluster", "default"), strategy)
        return original_update(self, service_properties)

    EC2ContainerServiceResponse.create_service = create_service
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


def _patch_s3_conditional_writes() -> None:
    """S3 writes with If-None-Match / If-Match are atomic, as the S3 User Guide's "conditional
    writes" say ("If multiple conditional writes occur for the same object name, the first write
    operation to finish succeeds"): moto checks, then writes, and two threads could both pass the
    check. One lock over every object write (puts and deletes, conditional or not) makes the
    check and its write one step; the lease and control objects of ecs-crd rely on it."""
    lock = threading.Lock()
    original_put = S3Response.put_object
    original_delete = S3Response.delete_object

    def put_object(self):  # type: ignore[no-untyped-def]
        with lock:
            return original_put(self)

    def delete_object(self):  # type: ignore[no-untyped-def]
        with lock:
            return original_delete(self)

    S3Response.put_object = put_object
    S3Response.delete_object = delete_object


# service (the SigV4 credential scope) -> (error code, message)
THROTTLED = {
    "elasticloadbalancing": ("Throttling", "Rate exceeded"),
    "route53": ("Throttling", "Rate exceeded"),
    "ecs": ("ThrottlingException", "Rate exceeded"),
}
_throttle = {"rate": 0.0, "rng": random.Random(1), "lock": threading.Lock()}
# service -> (error code, message) of an injected refusal
REFUSED = {
    "elasticloadbalancing": ("ValidationError", "sandbox: injected failure"),
    "route53": ("InvalidInput", "sandbox: injected failure"),
    "ecs": ("ClientException", "sandbox: injected failure"),
}
_fail = {"operation": "", "after": -1}


def _fields(text: str) -> dict:
    """`a=1&b=2` as a dict (the knobs' queries and ELBv2's form bodies hold no repeated keys)."""
    return dict(part.split("=", 1) for part in text.split("&") if "=" in part)


def _operation(environ, service: str) -> str:  # type: ignore[no-untyped-def]
    """The API operation of a request: ECS's X-Amz-Target, ELBv2's Action, Route 53's path."""
    if service == "ecs":
        return environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[-1]
    if service == "route53":
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        return "ChangeResourceRecordSets" if method == "POST" and path.endswith("/rrset") else path
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    # Put the body back for moto.
    environ["wsgi.input"] = io.BytesIO(body)
    return _fields(body.decode("utf-8", "replace") + "&" + environ.get("QUERY_STRING", "")).get("Action", "")


def _error_response(service: str, code: str, message: str, start_response):  # type: ignore[no-untyped-def]
    """An HTTP 400 error as the service's protocol writes one: JSON for ECS, XML for ELBv2 and Route 53."""
    if service == "ecs":
        body = json.dumps({"__type": code, "message": message}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>sandbox-fault</RequestId></ErrorResponse>"
        ).encode()
        content_type = "text/xml"
    start_response("400 Bad Request", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _signed_service(environ) -> str:  # type: ignore[no-untyped-def]
    """The service a SigV4 request is signed for: `Credential=<key>/<date>/<region>/<service>/aws4_request`."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    scope = authorization.split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    return scope[3] if len(scope) >= 5 else ""


def _throttled_response(service: str, environ, start_response):  # type: ignore[no-untyped-def]
    code, message = THROTTLED[service]
    if service == "route53" and environ.get("PATH_INFO", "").endswith("/rrset"):
        code, message = "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request."
    return _error_response(service, code, message, start_response)


def _patch_throttling() -> None:
    original = DomainDispatcherApplication.__call__

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") == "/_sandbox/throttle":
            query = _fields(environ.get("QUERY_STRING", ""))
            with _throttle["lock"]:
                _throttle["rate"] = min(1.0, max(0.0, float(query.get("rate", "0"))))
                _throttle["rng"] = random.Random(int(query.get("seed", "1")))
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if environ.get("PATH_INFO") == "/_sandbox/fail":
            query = _fields(environ.get("QUERY_STRING", ""))
            with _throttle["lock"]:
                _fail["operation"], _fail["after"] = query.get("operation", ""), int(query.get("after", "0"))
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        service = _signed_service(environ)
        # The sandbox observing itself (its traffic model reading the world) is no AWS client:
        # neither throttled nor refused, and it draws nothing from the seeded generator.
        if "sandbox-observer" in environ.get("HTTP_USER_AGENT", "") + environ.get("HTTP_X_AMZ_USER_AGENT", ""):
            return original(self, environ, start_response)
        if service in REFUSED and _fail["operation"] and _operation(environ, service) == _fail["operation"]:
            with _throttle["lock"]:
                due = _fail["after"] == 0
                _fail["after"] -= 1
                if due:
                    _fail["operation"] = ""
            if due:
                return _error_response(service, *REFUSED[service], start_response)
        if service in THROTTLED and _throttle["rate"] > 0:
            with _throttle["lock"]:
                hit = _throttle["rng"].random() < _throttle["rate"]
            if hit:
                return _throttled_response(service, environ, start_response)
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = __call__


def _patch_route53_propagation() -> None:
    original_change = Route53.change_resource_record_sets
    submitted: dict = {}

    def change_resource_record_sets(self):  # type: ignore[no-untyped-def]
        result = original_change(self)
        change_id = f"/change/C{random.randrange(16**12):012X}"
        submitted[change_id] = time.monotonic()
        result.result["ChangeInfo"].update(Id=change_id, Status="PENDING")
        return result

    def get_change(self):  # type: ignore[no-untyped-def]
        change_id = self._get_param("Id")
        key = change_id if change_id.startswith("/change/") else f"/change/{change_id}"
        if key not in submitted:
            raise Route53ClientError("NoSuchChange", f"A change with the specified change ID does not exist: {change_id}")
        synced = time.monotonic() >= submitted[key] + ROUTE53_INSYNC_S * TIME_SCALE
        return ActionResult({"ChangeInfo": {"Id": key, "Status": "INSYNC" if synced else "PENDING", "SubmittedAt": utcnow()}})

    Route53.change_resource_record_sets = change_resource_record_sets
    Route53.get_change = get_change


RULE_CONDITION_VALUES = 5
ROLE_INLINE_POLICY_CHARS = 10240


def _condition_values(conditions) -> int:  # type: ignore[no-untyped-def]
    """Every value of a rule's conditions: `Values`, and the `Values` of each `…Config`."""
    total = 0
    for condition in conditions or []:
        total += len(condition.get("Values") or [])
        for key, config in condition.items():
            if key.endswith("Config") and isinstance(config, dict):
                total += len(config.get("Values") or [])
    return total


def _patch_quotas() -> None:
    original_create_rule = ELBv2Backend.create_rule
    original_modify_rule = ELBv2Backend.modify_rule
    original_put_role_policy = IAMBackend.put_role_policy

    def check_conditions(conditions) -> None:  # type: ignore[no-untyped-def]
        if _condition_values(conditions) > RULE_CONDITION_VALUES:
            raise ELBClientError("ValidationError", f"A rule can only have '{RULE_CONDITION_VALUES}' condition values")

    def create_rule(self, listener_arn, conditions, *args, **kwargs):  # type: ignore[no-untyped-def]
        check_conditions(conditions)
        return original_create_rule(self, listener_arn, conditions, *args, **kwargs)

    def modify_rule(self, rule_arn, conditions, actions):  # type: ignore[no-untyped-def]
        check_conditions(conditions)
        return original_modify_rule(self, rule_arn, conditions, actions)

    def put_role_policy(self, role_name, policy_name, policy_json):  # type: ignore[no-untyped-def]
        role = self.get_role(role_name)
        others = [document for name, document in role.policies.items() if name != policy_name]
        size = sum(len("".join(str(document).split())) for document in [*others, policy_json])
        if size > ROLE_INLINE_POLICY_CHARS:
            raise LimitExceededException(
                f"Maximum policy size of {ROLE_INLINE_POLICY_CHARS} bytes exceeded for role {role_name}"
            )
        return original_put_role_policy(self, role_name, policy_name, policy_json)

    ELBv2Backend.create_rule = create_rule
    ELBv2Backend.modify_rule = modify_rule
    IAMBackend.put_role_policy = put_role_policy


# SNS Publish (SNS API Reference, Publish): "Subjects must be UTF-8 text with no line breaks or
# control characters" (moto checks only their length), a topic that does not exist is "NotFound:
# Topic does not exist", and a message is "at most 256 KB in size
# (262,144 bytes, not 262,144 characters)" (moto counts characters).
SNS_MAX_MESSAGE_BYTES = 262_144


def _patch_sns_publish() -> None:
    from moto.sns.exceptions import InvalidParameterValue
    from moto.sns.models import SNSBackend

    original_publish = SNSBackend.publish

    def publish(self, message, arn=None, phone_number=None, subject=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if subject is not None and (subject == "" or any(ord(c) < 32 or ord(c) == 127 for c in subject)):
            raise InvalidParameterValue("Invalid parameter: Subject")
        if phone_number is None and len(message.encode("utf-8")) > SNS_MAX_MESSAGE_BYTES:
            raise InvalidParameterValue("Invalid parameter: Message too long")
        # A topic ARN (no `endpoint/…` resource) that does not exist: AWS says "Topic does not
        # exist"; moto goes on to look for a mobile endpoint and names that instead.
        if arn and "/" not in arn.split(":", 5)[-1]:
            self.get_topic(arn)  # raises TopicNotFound
        return original_publish(self, message, arn, phone_number, subject, *args, **kwargs)

    SNSBackend.publish = publish


# The attributes of an application load balancer's instance/IP target group (ELB API
# Reference, TargetGroupAttribute); moto stores any key, AWS refuses the others with
# "Target group attribute key '<key>' is not recognized".
ALB_TARGET_GROUP_ATTRIBUTES = {
    "deregistration_delay.timeout_seconds",
    "stickiness.enabled",
    "stickiness.type",
    "stickiness.lb_cookie.duration_seconds",
    "stickiness.app_cookie.duration_seconds",
    "stickiness.app_cookie.cookie_name",
    "slow_start.duration_seconds",
    "load_balancing.algorithm.type",
    "load_balancing.algorithm.anomaly_mitigation",
    "load_balancing.cross_zone.enabled",
    "target_group_health.dns_failover.minimum_healthy_targets.count",
    "target_group_health.dns_failover.minimum_healthy_targets.percentage",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
}
ROUTING_ACTIONS = {"forward", "redirect", "fixed-response"}


def _check_rule_actions(backend, listener_arn: str, actions) -> None:  # type: ignore[no-untyped-def]
    """What ELBv2 refuses in a rule's actions and moto lets through (ELB User Guide, "Action
    types for listener rules", "Redirect actions"): exactly one routing action, performed last;
    authentication only on HTTPS listeners; a redirect that changes nothing loops."""
    ordered = sorted(enumerate(actions or []), key=lambda pair: (int(pair[1].get("Order") or pair[0] + 1), pair[0]))
    types = [action.get("Type") for _, action in ordered]
    if not types:
        return
    if types[-1] not in ROUTING_ACTIONS or sum(t in ROUTING_ACTIONS for t in types) != 1:
        raise ELBClientError(
            "InvalidLoadBalancerAction",
            "A rule must have exactly one forward, redirect or fixed-response action, and it must be the last",
        )
    listeners = backend.describe_listeners(None, [listener_arn])
    protocol = listeners[0].protocol if listeners else None
    if any(t.startswith("authenticate-") for t in types) and protocol != "HTTPS":
        raise ELBClientError(
            "InvalidLoadBalancerAction", "Authenticate actions are only supported on HTTPS listeners"
        )
    for _, action in ordered:
        redirect = action.get("RedirectConfig") or {}
        if action.get("Type") != "redirect":
            continue
        same = {"Protocol": "#{protocol}", "Host": "#{host}", "Port": "#{port}", "Path": "/#{path}"}
        if all(redirect.get(key) in (None, default) for key, default in same.items()):
            raise ELBClientError(
                "InvalidLoadBalancerAction", "The redirect configuration is not valid: it redirects to itself"
            )


def _patch_elbv2_strictness() -> None:
    original_create_rule = ELBv2Backend.create_rule
    original_modify_rule = ELBv2Backend.modify_rule
    original_modify_attributes = ELBv2Backend.modify_target_group_attributes

    def create_rule(self, listener_arn, conditions, priority, actions, *args, **kwargs):  # type: ignore[no-untyped-def]
        _check_rule_actions(self, listener_arn, actions)
        return original_create_rule(self, listener_arn, conditions, priority, actions, *args, **kwargs)

    def modify_rule(self, rule_arn, conditions, actions):  # type: ignore[no-untyped-def]
        listener_arn = rule_arn.replace(":listener-rule/", ":listener/").rsplit("/", 1)[0]
        if actions:
            _check_rule_actions(self, listener_arn, actions)
        return original_modify_rule(self, rule_arn, conditions, actions)

    def modify_target_group_attributes(self, target_group_arn, attributes):  # type: ignore[no-untyped-def]
        for key in attributes:
            if key not in ALB_TARGET_GROUP_ATTRIBUTES:
                raise ELBClientError("ValidationError", f"Target group attribute key '{key}' is not recognized")
        return original_modify_attributes(self, target_group_arn, attributes)

    ELBv2Backend.create_rule = create_rule
    ELBv2Backend.modify_rule = modify_rule
    ELBv2Backend.modify_target_group_attributes = modify_target_group_attributes


def main() -> None:
    parser = argparse.ArgumentParser(description="moto server for the ecs-crd sandbox")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="also write the port to this file (for a detached start)")
    args = parser.parse_args()
    # One log line per request would fill a pipe nobody reads; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    _patch_target_draining()
    _patch_target_health()
    _patch_ecs_services()
    _patch_ecs_task_definitions()
    _patch_ecs_capacity_providers()
    _patch_route53_changes()
    _patch_route53_propagation()
    _patch_s3_conditional_writes()
    _patch_throttling()
    _patch_quotas()
    _patch_sns_publish()
    _patch_elbv2_strictness()
    patch_cloudwatch()

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
