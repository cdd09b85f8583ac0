/**
 * The Pulumi program under `pulumi.runtime.setMocks`, for the program tier: every resource it
 * declares, by logical name, with the inputs the mocks saw. One harness for every program test.
 */
import * as pulumi from '@pulumi/pulumi';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import { deploymentProgram } from '../../src/stack/program.js';

export interface DeclaredResource {
  type: string;
  inputs: Record<string, unknown>;
}

export interface ProgramRun {
  /** By logical name (unique across types in this program). */
  resources: Map<string, DeclaredResource>;
  outputs: Record<string, unknown>;
}

/** The ARN the mocks give every resource, so tests can follow references between them. */
export const mockArn = (type: string, name: string): string => `arn:mock:${type}:${name}`;

/** Runs the program against mocks that echo inputs back; resolves once every resource is registered. */
export async function runProgram(state: DesiredState): Promise<ProgramRun> {
  const resources = new Map<string, DeclaredResource>();
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        if (resources.has(name)) throw new Error(`logical name declared twice: ${name}`);
        resources.set(name, { type, inputs });
        // A target group's `arnSuffix` names it in CloudWatch metrics (ALB requests per target).
        const extra =
          type === 'aws:lb/targetGroup:TargetGroup' ? { arnSuffix: `targetgroup/${name}/0123` } : {};
        return { id: `${name}-id`, state: { ...inputs, ...extra, arn: mockArn(type, name) } };
      },
      call: ({ inputs }) => inputs,
    },
    'ecs-crd',
    'shop-orders-api-prod-eu-west-1',
  );
  try {
    const returned = await deploymentProgram(state)();
    const outputs = await new Promise<Record<string, unknown>>((resolve) =>
      pulumi.output(returned).apply(resolve),
    );
    return { resources, outputs };
  } finally {
    // Resources outside the outputs' dependencies (records, roles) may still be registering.
    await pulumi.runtime.disconnect();
  }
}

/** The inputs of one declared resource; a missing one fails with the names that were declared. */
export function inputsOf(run: ProgramRun, name: string): Record<string, unknown> {
  const resource = run.resources.get(name);
  if (!resource) {
    throw new Error(`no resource named ${name}; declared: ${[...run.resources.keys()].join(', ')}`);
  }
  return resource.inputs;
}

/** Every resource's inputs by logical name. */
export async function declaredInputs(state: DesiredState): Promise<Map<string, Record<string, unknown>>> {
  const run = await runProgram(state);
  return new Map([...run.resources].map(([name, resource]) => [name, resource.inputs]));
}
