/**
 * What the stack remembers between runs, in and out of the engine's formats: the outputs
 * (read back as `StackOutputs`) and the update messages that let `history` tell one
 * deployment from another. Pure.
 */
import type { DeploymentMeta, HistoryEntry, StackOutputs } from '../canary/ports/stack.js';

const MESSAGE_PREFIX = 'ecs-crd ';

/** The update message: one readable line for `pulumi stack history`, then the meta as JSON. */
export function updateMessage(meta: DeploymentMeta): string {
  const what = meta.candidateVersion ? `${meta.candidateVersion} to ${meta.candidateSlot}` : 'no candidate';
  return `${MESSAGE_PREFIX}${meta.phase}: ${what} (deployment ${meta.deploymentId})\n${JSON.stringify(meta)}`;
}

/** The meta written by `updateMessage`, or undefined for updates ecs-crd did not make. */
export function metaOfMessage(message: string | undefined): DeploymentMeta | undefined {
  if (!message?.startsWith(MESSAGE_PREFIX)) return undefined;
  const json = message.slice(message.indexOf('\n') + 1);
  try {
    const meta = JSON.parse(json) as DeploymentMeta;
    return typeof meta.deploymentId === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

type OutputMap = Record<string, { value: unknown; secret?: boolean }>;

/** The stack's outputs as ecs-crd wrote them; null for a stack with none (new, or destroyed). */
export function parseOutputs(outputs: OutputMap): StackOutputs | null {
  const meta = outputs.meta?.value as DeploymentMeta | undefined;
  if (!meta || typeof meta !== 'object') return null;
  return {
    meta,
    releases: (outputs.releases?.value ?? {}) as StackOutputs['releases'],
    weights: (outputs.weights?.value ?? { blue: 0, green: 0 }) as StackOutputs['weights'],
    targetGroupArns: (outputs.targetGroupArns?.value ?? {}) as StackOutputs['targetGroupArns'],
    serviceNames: (outputs.serviceNames?.value ?? {}) as StackOutputs['serviceNames'],
    slots: (outputs.slots?.value ?? {}) as StackOutputs['slots'],
    ...(outputs.listeners ? { listeners: outputs.listeners.value as StackOutputs['listeners'] } : {}),
  };
}

/** One update as `pulumi stack history --json` lists it. */
export interface RawUpdate {
  version: number;
  kind: string;
  result: string;
  startTime: Date | string;
  endTime?: Date | string;
  message?: string;
}

/** The engine's update history, newest first, each with the meta ecs-crd recorded. */
export function parseHistory(updates: RawUpdate[]): HistoryEntry[] {
  return updates.map((u) => {
    const meta = metaOfMessage(u.message);
    const result = u.result === 'succeeded' || u.result === 'in-progress' ? u.result : 'failed';
    return {
      version: u.version,
      kind: u.kind,
      result,
      startTime: new Date(u.startTime).toISOString(),
      ...(u.endTime ? { endTime: new Date(u.endTime).toISOString() } : {}),
      ...(meta ? { meta } : {}),
    };
  });
}

/**
 * Updates per page when reading the history. Without a page size, `pulumi stack history` lists
 * only its default page, the last 10 updates: two or three deployments, since each one is
 * several updates (one per canary step).
 */
export const HISTORY_PAGE_SIZE = 100;

/** Reads one page of the engine's history, newest first; pages count from 1. */
export type HistoryPageReader = (pageSize: number, page: number) => Promise<RawUpdate[] | null>;

/** The whole update history, newest first, read page by page until a page comes back short. */
export async function readWholeHistory(
  readPage: HistoryPageReader,
  pageSize = HISTORY_PAGE_SIZE,
): Promise<HistoryEntry[]> {
  const updates: RawUpdate[] = [];
  for (let page = 1; ; page++) {
    const got = (await readPage(pageSize, page)) ?? [];
    updates.push(...got);
    if (got.length < pageSize) return parseHistory(updates);
  }
}
