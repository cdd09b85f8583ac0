/**
 * Property values as the engine sends them to a provider (google.protobuf.Struct turned into
 * JavaScript): plain JSON, plus a few encoded markers. The markers are part of Pulumi's
 * provider protocol (sdk/nodejs/runtime/rpc.ts), repeated here to avoid importing internals.
 */

/** Stands for a value not known yet (preview). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
const RESOURCE_SIG = '5cf8f73096256a8f31e491e813e4eb8e';
const OUTPUT_SIG = 'd0e6a833031e9bbcd3f4e8bde6ca49a4';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Props = Record<string, Json>;

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when the value is, or contains, an unknown. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) {
    if (value[SIG_KEY] === OUTPUT_SIG && value.value === undefined) return true;
    return Object.values(value).some(containsUnknown);
  }
  return false;
}

/**
 * The plain value a cloud API needs: secrets and output values lose their wrapper, and a
 * resource reference becomes its id (what pulumi-aws does with `role: aws.iam.Role`).
 */
export function plain(value: unknown): Json {
  if (Array.isArray(value)) return value.map(plain);
  if (isObject(value)) {
    const sig = value[SIG_KEY];
    if (sig === SECRET_SIG || sig === OUTPUT_SIG) return plain(value.value ?? null);
    if (sig === RESOURCE_SIG) return plain(value.id ?? value.urn ?? null);
    const out: Record<string, Json> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined) out[key] = plain(inner);
    }
    return out;
  }
  return (value ?? null) as Json;
}

/** True when the value is, or contains, a secret. */
export function containsSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isObject(value)) return value[SIG_KEY] === SECRET_SIG || Object.values(value).some(containsSecret);
  return false;
}

/** A value the engine keeps secret: encrypted in the state, masked in every output and event. */
export function asSecret(value: Json): Json {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** `plain` for a whole property bag. */
export function plainProps(props: unknown): Props {
  const value = plain(props);
  return isObject(value) ? value : {};
}

/** Absent, null, an empty list and an empty map all mean "not set" to a Terraform-based provider. */
export function isUnset(value: Json | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every(isUnset);
  return false;
}

/** Structural equality where unset values match each other, and JSON strings match their objects. */
export function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  if (isUnset(a) && isUnset(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameValue(a[key], b[key]));
  }
  return a === b;
}

/** Parses a JSON document given as a string (policies, container definitions); objects pass through. */
export function parseDocument(value: Json | undefined): Json | undefined {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

export function asString(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function asNumber(value: Json | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

export function asBoolean(value: Json | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

export function asObject(value: Json | undefined): Record<string, Json> {
  return isObject(value) ? value : {};
}

export function asStringMap(value: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, inner] of Object.entries(asObject(value))) {
    const text = asString(inner);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

/** Drops keys whose value is undefined, so SDK calls and outputs carry only what was set. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The strings of a list, or undefined when it has none (an unset list, to AWS). */
export function strings(value: Json | undefined): string[] | undefined {
  const list = asArray(value).flatMap((item) => (typeof item === 'string' ? [item] : []));
  return list.length > 0 ? list : undefined;
}
