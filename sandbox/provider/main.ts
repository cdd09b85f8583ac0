/**
 * The sandbox's stand-in for `pulumi-resource-aws`: a resource provider the Pulumi engine runs
 * in place of pulumi-aws (which cannot be downloaded here), serving the resource types the
 * product declares by calling the AWS emulator through the AWS SDK. For tests and the demo only.
 *
 * The engine starts it with the engine's address as argument and reads the gRPC port from the
 * first stdout line: everything else goes to stderr, and only on error or with
 * SANDBOX_PROVIDER_DEBUG=1 (the engine shows a provider's stderr to the user).
 */
import { createRequire } from 'node:module';
import * as provider from '@pulumi/pulumi/provider/index.js';
import { AwsClients } from './clients.js';
import { type ProviderConfig, parseProviderConfig } from './config.js';
import { type Ctx, checkInputs, diffInputs, PartialCreateError, type ResourceKind } from './kind.js';
import { KINDS } from './kinds.js';
import { asSecret, containsSecret, isUnset, type Props, plainProps } from './values.js';

/** The @pulumi/aws version the product pins: the engine asks for exactly this plugin version. */
const VERSION = '7.48.0';

// The engine shows a provider's stderr to the user: the SDK's Node 20 notice is noise there.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const debugEnabled = process.env.SANDBOX_PROVIDER_DEBUG === '1';
function debug(message: string): void {
  if (debugEnabled) process.stderr.write(`[sandbox aws] ${message}\n`);
}

let aws = new AwsClients(parseProviderConfig(undefined, new Map()));
/** The `customTimeouts.delete` the engine sent with each Delete, by URN (0: the provider's default). */
const deleteTimeouts = new Map<string, number>();

function configure(config: ProviderConfig): void {
  aws.destroy();
  aws = new AwsClients(config);
  // Endpoints only: the configuration also holds credentials, which are never logged.
  debug(`configured: region=${config.region ?? '(env)'} endpoints=${JSON.stringify(config.endpoints)}`);
}

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>` → type token and name. */
function parseUrn(urn: string): { token: string; name: string } {
  const parts = urn.split('::');
  const qualified = parts[2] ?? '';
  return { token: qualified.split('$').pop() ?? qualified, name: parts.slice(3).join('::') };
}

function kindOf(urn: string): { kind: ResourceKind; ctx: Ctx } {
  const { token, name } = parseUrn(urn);
  const kind = KINDS.get(token);
  if (!kind) {
    throw new Error(
      `${token} is not implemented by the sandbox's stand-in aws provider (it serves: ${[...KINDS.keys()].join(', ')})`,
    );
  }
  return { kind, ctx: { aws, name, debug, timeoutSeconds: deleteTimeouts.get(urn) } };
}

/**
 * Outputs pulumi-aws always reports: the resolved region of regional resources, and tagsAll.
 * An output whose input held a secret stays secret, as the Terraform bridge keeps it (a
 * listener rule's OIDC client secret would otherwise sit in the state in clear).
 */
function finish(kind: ResourceKind, outs: Props, inputs: unknown = {}): Props {
  const out = { ...outs };
  const raw = (typeof inputs === 'object' && inputs !== null ? inputs : {}) as Record<string, unknown>;
  for (const key of Object.keys(out)) {
    if (containsSecret(raw[key])) out[key] = asSecret(out[key] ?? null);
  }
  if ((kind.optionalComputed ?? []).includes('region') && isUnset(out.region)) out.region = aws.region();
  if (kind.computed.includes('tagsAll')) out.tagsAll = plainProps(out.tags ?? {});
  return out;
}

/** The new state after an update: the new inputs, with the computed outputs carried over. */
function carried(kind: ResourceKind, olds: Props, news: Props): Props {
  const out = plainProps(news);
  for (const key of kind.computed) if (key in olds) out[key] = olds[key] ?? null;
  for (const key of kind.optionalComputed ?? [])
    if (isUnset(out[key]) && key in olds) out[key] = olds[key] ?? null;
  return out;
}

/**
 * The inputs a refresh records: the live values of everything but the outputs, as pulumi-aws
 * does (pulumi-terraform-bridge's ExtractInputsFromOutputs on Read). Without them the engine
 * keeps the old inputs, and `ignoreChanges` would put a stale value back over a live one that
 * something else (Application Auto Scaling, a person) set.
 */
function refreshedInputs(kind: ResourceKind, props: Props): Props {
  const computed = new Set(kind.computed);
  return Object.fromEntries(Object.entries(props).filter(([key]) => !computed.has(key)));
}

/** Pulumi's ErrorResourceInitFailed: the engine keeps the id so the resource is not leaked. */
function initFailure(kind: ResourceKind, error: PartialCreateError) {
  return Object.assign(new Error(error.message), {
    id: error.id,
    properties: finish(kind, error.properties),
    reasons: error.reasons,
  });
}

const impl: provider.Provider = {
  version: VERSION,

  async check(urn, olds, news) {
    const { kind, ctx } = kindOf(urn);
    return checkInputs(kind, ctx.name, olds ?? {}, news ?? {});
  },

  async diff(_id, urn, olds, news) {
    const { kind } = kindOf(urn);
    const outcome = diffInputs(kind, olds ?? {}, news ?? {});
    if (outcome.changes)
      debug(`diff ${urn}: ${outcome.changed.join(', ')} (replace: ${outcome.replaces.join(', ')})`);
    return { changes: outcome.changes, replaces: outcome.replaces };
  },

  async create(urn, inputs) {
    const { kind, ctx } = kindOf(urn);
    debug(`create ${urn}`);
    try {
      const { id, outs } = await kind.create(ctx, inputs ?? {});
      return { id, outs: finish(kind, outs, inputs) };
    } catch (error) {
      throw error instanceof PartialCreateError ? initFailure(kind, error) : error;
    }
  },

  async read(id, urn, props) {
    const { kind, ctx } = kindOf(urn);
    const state = plainProps(props ?? {});
    const live = await kind.read(ctx, id, state);
    if (!live) return { id: '', props: {} }; // An empty id: the resource no longer exists.
    const refreshed = finish(kind, live, props);
    return { id, props: refreshed, inputs: refreshedInputs(kind, refreshed) };
  },

  async update(id, urn, olds, news) {
    const { kind, ctx } = kindOf(urn);
    debug(`update ${urn}`);
    const changed = await kind.update(ctx, id, plainProps(olds ?? {}), news ?? {});
    return { outs: finish(kind, { ...carried(kind, plainProps(olds ?? {}), news ?? {}), ...changed }, news) };
  },

  async delete(id, urn, props) {
    const { kind, ctx } = kindOf(urn);
    debug(`delete ${urn}`);
    await kind.delete(ctx, id, plainProps(props ?? {}));
  },

  async invoke(token) {
    throw new Error(`function ${token} is not implemented by the sandbox's stand-in aws provider`);
  },
};

/**
 * @pulumi/pulumi's provider server answers Configure without looking at the request, so the
 * provider would never see `aws:region` or `aws:endpoints`, and drops a Delete's `timeout`
 * (the resource's `customTimeouts.delete`). Its gRPC server is wrapped here (a public grpc-js
 * method, taken from the copy @pulumi/pulumi itself loads) to read both requests before the
 * stock handlers answer them.
 */
function captureConfigure(): void {
  const fromPulumi = createRequire(createRequire(import.meta.url).resolve('@pulumi/pulumi'));
  const grpc = fromPulumi('@grpc/grpc-js') as {
    Server: { prototype: { addService(service: object, implementation: object): void } };
  };
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (serviceDefinition, implementation) {
    const definition = serviceDefinition as { configure?: { path?: string } };
    if (definition.configure?.path !== '/pulumirpc.ResourceProvider/Configure') {
      return addService.call(this, serviceDefinition, implementation);
    }
    const stock = implementation as {
      configure(call: ConfigureCall, callback: unknown): void;
      delete(call: DeleteCall, callback: unknown): void;
    };
    const wrapped = Object.create(stock) as typeof stock;
    wrapped.delete = (call, callback) => {
      deleteTimeouts.set(call.request.getUrn(), call.request.getTimeout());
      stock.delete.call(stock, call, callback);
    };
    wrapped.configure = (call, callback) => {
      try {
        const request = call.request;
        configure(
          parseProviderConfig(
            request.getArgs()?.toJavaScript(),
            new Map(request.getVariablesMap().toObject()),
          ),
        );
      } catch (error) {
        process.stderr.write(
          `[sandbox aws] unreadable provider configuration: ${(error as Error).message}\n`,
        );
      }
      stock.configure.call(stock, call, callback);
    };
    return addService.call(this, serviceDefinition, wrapped);
  };
}

interface DeleteCall {
  request: { getUrn(): string; getTimeout(): number };
}

interface ConfigureCall {
  request: {
    getArgs(): { toJavaScript(): unknown } | undefined;
    getVariablesMap(): { toObject(): [string, string][] };
  };
}

captureConfigure();
void provider.main(impl, process.argv.slice(2));
