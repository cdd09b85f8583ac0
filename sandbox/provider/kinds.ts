import { service, taskDefinition } from './ecs.js';
import { listener, listenerRule, targetGroup } from './elbv2.js';
import { role, rolePolicy, rolePolicyAttachment } from './iam.js';
import type { ResourceKind } from './kind.js';
import { listenerCertificate } from './listener-certificate.js';
import { logGroup } from './logs.js';
import { record } from './route53.js';
import { metricAlarm, scalableTarget, scalingPolicy } from './scaling.js';

/** Every resource type the stand-in serves, by pulumi-aws type token. */
export const KINDS: ReadonlyMap<string, ResourceKind> = new Map(
  [
    taskDefinition,
    service,
    targetGroup,
    listener,
    listenerCertificate,
    listenerRule,
    record,
    logGroup,
    role,
    rolePolicy,
    rolePolicyAttachment,
    scalableTarget,
    scalingPolicy,
    metricAlarm,
  ].map((kind) => [kind.token, kind]),
);
