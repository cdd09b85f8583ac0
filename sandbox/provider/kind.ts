import { randomBytes } from 'node:crypto';
import type { AwsClients } from './clients.js';
import {
  containsUnknown,
  isUnset,
  type Json,
  type Props,
  parseDocument,
  plain,
  sameValue,
} from './values.js';

/** One resource type of the stand-in: pulumi-aws's input names, its replace rules, and CRUD on the emulator. */
export interface ResourceKind {
  token: string;
  /** Inputs whose change replaces the resource (pulumi-aws's ForceNew). */
  replaceOn: readonly string[];
  /** Output-only properties: never compared. */
  computed: readonly string[];
  /** Optional inputs filled in by the provider when absent: compared only when the program sets them. */
  optionalComputed?: readonly string[];
  /** Inputs holding JSON documents: compared as parsed JSON, not as text. */
  documents?: readonly string[];
  /** pulumi-aws's StateFunc of an input: the form it is stored, and so compared, in. */
  stateFuncs?: Readonly<Record<string, (value: Json) => Json>>;
  required?: readonly string[];
  /** pulumi-aws auto-naming: `<resource name>-<7 hex>` when neither name nor namePrefix is set. */
  autoName?: { maxLength: number };
  validate?(inputs: Props): CheckFailure[];
  create(ctx: Ctx, inputs: Props): Promise<{ id: string; outs: Props }>;
  /** The live state, or undefined when the resource is gone. */
  read(ctx: Ctx, id: string, state: Props): Promise<Props | undefined>;
  /** Returns only computed outputs that changed: the new state is the new inputs plus the old computed ones. */
  update(ctx: Ctx, id: string, olds: Props, news: Props): Promise<Props>;
  delete(ctx: Ctx, id: string, state: Props): Promise<void>;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface Ctx {
  aws: AwsClients;
  /** The resource's name in the program (from its URN). */
  name: string;
  debug(message: string): void;
  /** On delete: the resource's `customTimeouts.delete` in AWS seconds, when the program set one. */
  timeoutSeconds?: number;
}

/**
 * A create that made the resource but failed afterwards: the engine records the id so the
 * resource is not leaked (Pulumi's ErrorResourceInitFailed).
 */
export class PartialCreateError extends Error {
  constructor(
    readonly id: string,
    readonly properties: Props,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }

  get reasons(): string[] {
    return [this.message];
  }
}

/**
 * A call on a resource that may be gone already: an error `gone` recognises yields undefined
 * (a read finds nothing, a delete has nothing left to do); any other error is thrown.
 */
export async function unlessGone<T>(
  gone: (error: unknown) => boolean,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
}

export function autoName(base: string, maxLength: number): string {
  const suffix = randomBytes(4).toString('hex').slice(0, 7);
  return `${base.slice(0, Math.max(1, maxLength - suffix.length - 1))}-${suffix}`;
}

/** Check: required inputs, kind-specific validation, auto-naming that survives later updates. */
export function checkInputs(
  kind: ResourceKind,
  name: string,
  olds: Props,
  news: Props,
): { inputs: Props; failures: CheckFailure[] } {
  const inputs: Props = { ...news };
  const failures: CheckFailure[] = [];
  for (const key of kind.required ?? []) {
    if (isUnset(news[key])) failures.push({ property: key, reason: `Missing required property '${key}'` });
  }
  if (kind.autoName && isUnset(news.name)) {
    const prefix = news.namePrefix;
    if (typeof olds.name === 'string' && sameValue(olds.namePrefix, prefix)) {
      inputs.name = olds.name;
    } else if (typeof prefix === 'string' && !containsUnknown(prefix)) {
      inputs.name = `${prefix}${randomBytes(13).toString('hex').slice(0, 26)}`.slice(
        0,
        kind.autoName.maxLength,
      );
    } else if (prefix === undefined || prefix === null) {
      inputs.name = autoName(name, kind.autoName.maxLength);
    }
  }
  if (failures.length === 0 && kind.validate && !containsUnknown(news)) {
    failures.push(...kind.validate(plainInputs(inputs)));
  }
  return { inputs, failures };
}

function plainInputs(props: Props): Props {
  const value = plain(props);
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  changed: string[];
}

/** Diff of the old state against the new inputs, with pulumi-aws's replace rules. */
export function diffInputs(kind: ResourceKind, olds: Props, news: Props): DiffOutcome {
  const skip = new Set(kind.computed);
  const optional = new Set(kind.optionalComputed ?? []);
  const documents = new Set(kind.documents ?? []);
  const keys = new Set([...Object.keys(news), ...Object.keys(olds)]);
  const changed: string[] = [];
  for (const key of keys) {
    if (skip.has(key) || key.startsWith('__')) continue;
    const next = news[key];
    if (optional.has(key) && isUnset(next)) continue;
    if (containsUnknown(next)) {
      changed.push(key);
      continue;
    }
    const stored = kind.stateFuncs?.[key] ?? ((value: Json) => value);
    const normalize = (value: Json | undefined) =>
      documents.has(key) ? parseDocument(plain(value)) : stored(plain(value ?? null));
    if (!sameValue(normalize(olds[key]), normalize(next))) changed.push(key);
  }
  const replaces = changed.filter((key) => kind.replaceOn.includes(key));
  return { changes: changed.length > 0, replaces, changed };
}
