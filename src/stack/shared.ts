/** What every release of a stack shares, and how the releases' resources find it. */
import type { LogGroup } from '@pulumi/aws/cloudwatch/logGroup.js';
import type { Role } from '@pulumi/aws/iam/role.js';
import type { RolePolicyAttachment } from '@pulumi/aws/iam/rolePolicyAttachment.js';
import type { Output } from '@pulumi/pulumi';
import type { Slot } from '../canary/ports/aws.js';

export type Tags = Record<string, string>;

/** What every release shares: declared once per stack, whatever the slots hold. */
export interface SharedResources {
  logGroup: LogGroup;
  executionRole: Role;
  /** The ARN of each listener the stack owns, by `listenerKey(slot, port)`. */
  listeners: Map<string, Output<string>>;
  /** The AWS managed policy (image pulls, log streams) on the execution role. */
  executionManagedPolicy: RolePolicyAttachment;
  taskRole: Role;
  /**
   * The values of the client secrets the releases' authenticate-oidc actions name, by ARN,
   * read for this run only (never in the desired state, the outputs or a log).
   */
  clientSecrets?: ReadonlyMap<string, string>;
}

/** How `SharedResources.listeners` keys a listener the stack owns. */
export const listenerKey = (slot: Slot, port: number): string => `${slot}:${port}`;
