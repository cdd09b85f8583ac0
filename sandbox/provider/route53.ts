import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { Ctx, ResourceKind } from './kind.js';
import { timeScale } from './scheduler.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  compact,
  type Props,
  plainProps,
} from './values.js';

function bare(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

async function zoneName(client: Route53Client, zoneId: string): Promise<string> {
  const zone = await client.send(new GetHostedZoneCommand({ Id: zoneId }));
  const name = zone.HostedZone?.Name;
  if (!name) throw new Error(`hosted zone ${zoneId} not found`);
  return bare(name);
}

/** pulumi-aws's `fqdn`: the name as given when it already ends with the zone, else name.zone. */
function fqdnOf(name: string, zone: string): string {
  const record = bare(name);
  return record === zone || record.endsWith(`.${zone}`) ? record : `${record}.${zone}`;
}

function recordId(zoneId: string, fqdn: string, type: string, setIdentifier?: string): string {
  return [zoneId, fqdn, type, ...(setIdentifier ? [setIdentifier] : [])].join('_');
}

/**
 * A TXT value as Route 53 takes it: quoted, in strings of at most 255 characters. pulumi-aws
 * takes TXT values unquoted and quotes them so (terraform-provider-aws, route53 record:
 * `flattenTxtEntry`).
 */
function txtEntry(value: string): string {
  const chunks = value.match(/[\s\S]{1,255}/g) ?? [''];
  return chunks.map((chunk) => `"${chunk}"`).join(' ');
}

/** The record set a resource's inputs describe (names without a trailing dot, as moto's journal wants). */
function recordSet(inputs: Props, fqdn: string): ResourceRecordSet {
  const alias = asObject(asArray(inputs.aliases)[0]);
  const weighted = asObject(asArray(inputs.weightedRoutingPolicies)[0]);
  const failover = asObject(asArray(inputs.failoverRoutingPolicies)[0]);
  const latency = asObject(asArray(inputs.latencyRoutingPolicies)[0]);
  const quoted = ['TXT', 'SPF'].includes(asString(inputs.type) ?? '');
  const records = asArray(inputs.records).flatMap((value) =>
    typeof value === 'string' ? [{ Value: quoted ? txtEntry(value) : value }] : [],
  );
  const isAlias = inputs.aliases !== undefined && asArray(inputs.aliases).length > 0;
  return compact({
    Name: fqdn,
    Type: asString(inputs.type) as 'A',
    SetIdentifier: asString(inputs.setIdentifier),
    Weight: asNumber(weighted.weight),
    Failover: asString(failover.type) as 'PRIMARY' | undefined,
    Region: asString(latency.region) as 'eu-west-1' | undefined,
    MultiValueAnswer: asBoolean(inputs.multivalueAnswerRoutingPolicy),
    HealthCheckId: asString(inputs.healthCheckId),
    TTL: isAlias ? undefined : asNumber(inputs.ttl),
    ResourceRecords: isAlias || records.length === 0 ? undefined : records,
    AliasTarget: isAlias
      ? {
          DNSName: asString(alias.name),
          HostedZoneId: asString(alias.zoneId),
          EvaluateTargetHealth: asBoolean(alias.evaluateTargetHealth) ?? false,
        }
      : undefined,
  });
}

/** The live record with exactly this name, type and set identifier (Route 53's identity of a record). */
async function findRecord(
  client: Route53Client,
  zoneId: string,
  fqdn: string,
  type: string,
  setIdentifier: string | undefined,
): Promise<ResourceRecordSet | undefined> {
  let startName: string | undefined = fqdn;
  let startType: string | undefined = type;
  for (let page = 0; page < 100 && startName; page++) {
    const listed: ListResourceRecordSetsCommandOutput = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: startName,
        StartRecordType: startType as 'A',
        MaxItems: 100,
      }),
    );
    for (const record of listed.ResourceRecordSets ?? []) {
      if (bare(record.Name ?? '') !== fqdn || record.Type !== type) return undefined;
      if ((record.SetIdentifier ?? undefined) === setIdentifier) return record;
    }
    if (!listed.IsTruncated) return undefined;
    startName = listed.NextRecordName;
    startType = listed.NextRecordType;
  }
  return undefined;
}

function deletion(live: ResourceRecordSet): Change {
  // A DELETE must repeat the record exactly as it is.
  return { Action: 'DELETE', ResourceRecordSet: { ...live, Name: bare(live.Name ?? '') } };
}

/**
 * One change batch, and — as pulumi-aws does (terraform-provider-aws `waitForChangeSynchronization`)
 * — a wait until Route 53 reports it INSYNC on all its name servers.
 */
async function change(client: Route53Client, zoneId: string, changes: Change[]): Promise<void> {
  const submitted = await client.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
  );
  let info = submitted.ChangeInfo;
  // Terraform polls every 15 s (30 s at first) for up to 30 minutes; the sandbox's time is scaled.
  const deadline = Date.now() + 30 * 60 * 1000 * timeScale();
  while (info?.Status === 'PENDING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    info = (await client.send(new GetChangeCommand({ Id: info.Id }))).ChangeInfo;
  }
  if (info?.Status !== 'INSYNC')
    throw new Error(`timeout while waiting for Route 53 change ${info?.Id} to be INSYNC`);
}

function identity(props: Props) {
  return {
    zoneId: asString(props.zoneId) ?? '',
    type: asString(props.type) ?? '',
    setIdentifier: asString(props.setIdentifier),
  };
}

async function liveOf(ctx: Ctx, props: Props): Promise<ResourceRecordSet | undefined> {
  const client = ctx.aws.route53();
  const { zoneId, type, setIdentifier } = identity(props);
  const fqdn = asString(props.fqdn) ?? fqdnOf(asString(props.name) ?? '', await zoneName(client, zoneId));
  return findRecord(client, zoneId, fqdn, type, setIdentifier);
}

export const record: ResourceKind = {
  token: 'aws:route53/record:Record',
  replaceOn: ['zoneId', 'name'],
  // terraform-provider-aws `normalizeRecordName`: a name is stored lower-cased, without its
  // trailing dot, so `API.example.com.` and `api.example.com` are one record, not a replace.
  stateFuncs: { name: (value) => (typeof value === 'string' ? bare(value) : value) },
  computed: ['fqdn', 'id'],
  optionalComputed: ['allowOverwrite'],
  required: ['zoneId', 'name', 'type'],

  validate(inputs) {
    const failures = [];
    const isAlias = asArray(inputs.aliases).length > 0;
    if (isAlias && (inputs.records !== undefined || inputs.ttl !== undefined)) {
      failures.push({ property: 'aliases', reason: '"aliases" conflicts with "records" and "ttl"' });
    }
    if (!isAlias && asArray(inputs.records).length === 0) {
      failures.push({ property: 'records', reason: 'one of "records" or "aliases" must be specified' });
    }
    if (asArray(inputs.weightedRoutingPolicies).length > 0 && !asString(inputs.setIdentifier)) {
      failures.push({
        property: 'setIdentifier',
        reason: '"weightedRoutingPolicies" requires "setIdentifier"',
      });
    }
    return failures;
  },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const client = ctx.aws.route53();
    const { zoneId, type, setIdentifier } = identity(inputs);
    const fqdn = fqdnOf(asString(inputs.name) ?? '', await zoneName(client, zoneId));
    // moto duplicates a record on CREATE; AWS refuses it. UPSERT, after the same refusal.
    if (!asBoolean(inputs.allowOverwrite) && (await findRecord(client, zoneId, fqdn, type, setIdentifier))) {
      throw new Error(
        `[ERR]: Error building changeset: InvalidChangeBatch: Tried to create resource record set [name='${fqdn}.', type='${type}'${setIdentifier ? `, set-identifier='${setIdentifier}'` : ''}] but it already exists`,
      );
    }
    await change(client, zoneId, [{ Action: 'UPSERT', ResourceRecordSet: recordSet(inputs, fqdn) }]);
    return { id: recordId(zoneId, fqdn, type, setIdentifier), outs: { ...inputs, fqdn } };
  },

  async read(ctx, _id, state) {
    const live = await liveOf(ctx, state);
    if (!live) return undefined;
    const weighted = asArray(state.weightedRoutingPolicies);
    const refreshed: Props = { ...state };
    // Only what the record really carries: adding absent keys would read as a change.
    if (live.Weight !== undefined)
      refreshed.weightedRoutingPolicies = [{ ...asObject(weighted[0]), weight: live.Weight }];
    // moto reports TTL 0 on alias records, which have none on AWS.
    if (live.TTL !== undefined && !live.AliasTarget) refreshed.ttl = live.TTL;
    return refreshed;
  },

  async update(ctx, _id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.route53();
    const zoneId = asString(olds.zoneId) ?? '';
    const fqdn = asString(olds.fqdn) ?? fqdnOf(asString(news.name) ?? '', await zoneName(client, zoneId));
    const before = identity(olds);
    const after = identity(news);
    const changes: Change[] = [];
    // Route 53 identifies a record by name, type and set identifier: changing one of the last
    // two swaps the record, in one atomic batch, as pulumi-aws does.
    if (before.type !== after.type || before.setIdentifier !== after.setIdentifier) {
      const live = await findRecord(client, zoneId, fqdn, before.type, before.setIdentifier);
      if (live) changes.push(deletion(live));
    }
    changes.push({ Action: 'UPSERT', ResourceRecordSet: recordSet(news, fqdn) });
    await change(client, zoneId, changes);
    return { fqdn };
  },

  async delete(ctx, _id, state) {
    const live = await liveOf(ctx, state);
    if (live) await change(ctx.aws.route53(), asString(state.zoneId) ?? '', [deletion(live)]);
  },
};
