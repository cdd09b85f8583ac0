import {
  type Action,
  AddTagsCommand,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RemoveTagsCommand,
  type RuleCondition,
  SetRulePrioritiesCommand,
  type TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PartialCreateError, type ResourceKind, unlessGone } from './kind.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  asStringMap,
  compact,
  type Json,
  type Props,
  plainProps,
  sameValue,
  strings,
} from './values.js';

const REGIONAL = ['region'];

function notFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return /NotFound/.test(name);
}

export function tagList(tags: Json | undefined): { Key: string; Value: string }[] | undefined {
  const entries = Object.entries(asStringMap(tags));
  return entries.length > 0 ? entries.map(([Key, Value]) => ({ Key, Value })) : undefined;
}

async function retag(
  client: ElasticLoadBalancingV2Client,
  arn: string,
  olds: Props,
  news: Props,
): Promise<void> {
  if (sameValue(olds.tags, news.tags)) return;
  const before = asStringMap(olds.tags);
  const after = asStringMap(news.tags);
  const removed = Object.keys(before).filter((key) => !(key in after));
  if (removed.length > 0) await client.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: removed }));
  const added = tagList(after);
  if (added) await client.send(new AddTagsCommand({ ResourceArns: [arn], Tags: added }));
}

/** pulumi-aws listener/rule action (`actions[]`, `defaultActions[]`) → ELBv2 API action. */
function toAction(value: Json): Action {
  const a = asObject(value);
  const forward = asObject(a.forward);
  const fixed = asObject(a.fixedResponse);
  const redirect = asObject(a.redirect);
  const oidc = asObject(a.authenticateOidc);
  const cognito = asObject(a.authenticateCognito);
  const stickiness = asObject(forward.stickiness);
  return compact({
    Type: asString(a.type) as Action['Type'],
    Order: asNumber(a.order),
    TargetGroupArn: asString(a.targetGroupArn),
    ForwardConfig: a.forward
      ? compact({
          TargetGroups: asArray(forward.targetGroups).map((tg) => {
            const t = asObject(tg);
            return compact({ TargetGroupArn: asString(t.arn), Weight: asNumber(t.weight) });
          }),
          TargetGroupStickinessConfig: forward.stickiness
            ? compact({
                Enabled: asBoolean(stickiness.enabled),
                DurationSeconds: asNumber(stickiness.duration),
              })
            : undefined,
        })
      : undefined,
    FixedResponseConfig: a.fixedResponse
      ? compact({
          ContentType: asString(fixed.contentType),
          MessageBody: asString(fixed.messageBody),
          StatusCode: asString(fixed.statusCode) ?? '200',
        })
      : undefined,
    RedirectConfig: a.redirect
      ? compact({
          Host: asString(redirect.host),
          Path: asString(redirect.path),
          Port: asString(redirect.port),
          Protocol: asString(redirect.protocol),
          Query: asString(redirect.query),
          StatusCode: asString(redirect.statusCode) as 'HTTP_301' | 'HTTP_302',
        })
      : undefined,
    AuthenticateOidcConfig: a.authenticateOidc
      ? compact({
          Issuer: asString(oidc.issuer),
          AuthorizationEndpoint: asString(oidc.authorizationEndpoint),
          TokenEndpoint: asString(oidc.tokenEndpoint),
          UserInfoEndpoint: asString(oidc.userInfoEndpoint),
          ClientId: asString(oidc.clientId),
          ClientSecret: asString(oidc.clientSecret),
          Scope: asString(oidc.scope),
          SessionCookieName: asString(oidc.sessionCookieName),
          SessionTimeout: asNumber(oidc.sessionTimeout),
          OnUnauthenticatedRequest: asString(oidc.onUnauthenticatedRequest) as 'deny' | undefined,
        })
      : undefined,
    AuthenticateCognitoConfig: a.authenticateCognito
      ? compact({
          UserPoolArn: asString(cognito.userPoolArn),
          UserPoolClientId: asString(cognito.userPoolClientId),
          UserPoolDomain: asString(cognito.userPoolDomain),
          Scope: asString(cognito.scope),
          SessionCookieName: asString(cognito.sessionCookieName),
          SessionTimeout: asNumber(cognito.sessionTimeout),
          OnUnauthenticatedRequest: asString(cognito.onUnauthenticatedRequest) as 'deny' | undefined,
        })
      : undefined,
  });
}

/** pulumi-aws `conditions[]` → ELBv2 API conditions (one field per condition block). */
function toConditions(value: Json | undefined): RuleCondition[] {
  const out: RuleCondition[] = [];
  for (const item of asArray(value)) {
    const c = asObject(item);
    const values = (key: string) => strings(asObject(c[key]).values);
    if (c.hostHeader) out.push({ Field: 'host-header', HostHeaderConfig: { Values: values('hostHeader') } });
    if (c.pathPattern)
      out.push({ Field: 'path-pattern', PathPatternConfig: { Values: values('pathPattern') } });
    if (c.httpRequestMethod) {
      out.push({
        Field: 'http-request-method',
        HttpRequestMethodConfig: { Values: values('httpRequestMethod') },
      });
    }
    if (c.sourceIp) out.push({ Field: 'source-ip', SourceIpConfig: { Values: values('sourceIp') } });
    if (c.httpHeader) {
      const header = asObject(c.httpHeader);
      out.push({
        Field: 'http-header',
        HttpHeaderConfig: { HttpHeaderName: asString(header.httpHeaderName), Values: strings(header.values) },
      });
    }
    if (c.queryStrings) {
      out.push({
        Field: 'query-string',
        QueryStringConfig: {
          Values: asArray(c.queryStrings).map((q) =>
            compact({ Key: asString(asObject(q).key), Value: asString(asObject(q).value) }),
          ),
        },
      });
    }
  }
  return out;
}

/** `arnSuffix` as pulumi-aws computes it: the part of the ARN after `loadbalancer/` or `targetgroup/`'s prefix. */
function arnSuffix(arn: string): string {
  return arn.split(':').slice(5).join(':');
}

/**
 * pulumi-aws TargetGroup inputs → ELBv2 attributes, as terraform-provider-aws's
 * `aws_lb_target_group` writes them (internal/service/elbv2/target_group.go): the stickiness
 * block's `cookieDuration` is the duration of its type's cookie, `cookieName` the app cookie's.
 */
function targetGroupAttributes(inputs: Props): TargetGroupAttribute[] {
  const stickiness = asObject(inputs.stickiness);
  const health = asObject(inputs.targetGroupHealth);
  const dnsFailover = asObject(health.dnsFailover);
  const unhealthyRouting = asObject(health.unhealthyStateRouting);
  const attributes: [string, string | undefined][] = [
    ['deregistration_delay.timeout_seconds', asString(inputs.deregistrationDelay)],
    ['slow_start.duration_seconds', asString(inputs.slowStart)],
    ['load_balancing.algorithm.type', asString(inputs.loadBalancingAlgorithmType)],
    ['load_balancing.algorithm.anomaly_mitigation', asString(inputs.loadBalancingAnomalyMitigation)],
    ['load_balancing.cross_zone.enabled', asString(inputs.loadBalancingCrossZoneEnabled)],
    [
      'target_group_health.dns_failover.minimum_healthy_targets.count',
      asString(dnsFailover.minimumHealthyTargetsCount),
    ],
    [
      'target_group_health.dns_failover.minimum_healthy_targets.percentage',
      asString(dnsFailover.minimumHealthyTargetsPercentage),
    ],
    [
      'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count',
      asString(unhealthyRouting.minimumHealthyTargetsCount),
    ],
    [
      'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
      asString(unhealthyRouting.minimumHealthyTargetsPercentage),
    ],
  ];
  if (inputs.stickiness) {
    const type = asString(stickiness.type) ?? 'lb_cookie';
    attributes.push(['stickiness.enabled', asString(asBoolean(stickiness.enabled) ?? true)]);
    attributes.push(['stickiness.type', type]);
    attributes.push([`stickiness.${type}.duration_seconds`, asString(stickiness.cookieDuration)]);
    if (type === 'app_cookie')
      attributes.push(['stickiness.app_cookie.cookie_name', asString(stickiness.cookieName)]);
  }
  return attributes
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([Key, Value]) => ({ Key, Value }));
}

function healthCheckParams(inputs: Props) {
  const hc = asObject(inputs.healthCheck);
  return compact({
    HealthCheckEnabled: asBoolean(hc.enabled),
    HealthCheckPath: asString(hc.path),
    HealthCheckPort: asString(hc.port),
    HealthCheckProtocol: asString(hc.protocol) as 'HTTP' | undefined,
    HealthCheckIntervalSeconds: asNumber(hc.interval),
    HealthCheckTimeoutSeconds: asNumber(hc.timeout),
    HealthyThresholdCount: asNumber(hc.healthyThreshold),
    UnhealthyThresholdCount: asNumber(hc.unhealthyThreshold),
    Matcher: asString(hc.matcher) ? { HttpCode: asString(hc.matcher) } : undefined,
  });
}

export const targetGroup: ResourceKind = {
  token: 'aws:lb/targetGroup:TargetGroup',
  replaceOn: [
    'name',
    'namePrefix',
    'port',
    'protocol',
    'protocolVersion',
    'vpcId',
    'targetType',
    'ipAddressType',
    'region',
  ],
  computed: ['arn', 'arnSuffix', 'id', 'loadBalancerArns', 'tagsAll'],
  optionalComputed: [...REGIONAL, 'targetType', 'protocolVersion', 'ipAddressType'],
  autoName: { maxLength: 32 },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const client = ctx.aws.elbv2(asString(inputs.region));
    const created = await client.send(
      new CreateTargetGroupCommand({
        Name: asString(inputs.name),
        Protocol: asString(inputs.protocol) as 'HTTP' | undefined,
        ProtocolVersion: asString(inputs.protocolVersion),
        Port: asNumber(inputs.port),
        VpcId: asString(inputs.vpcId),
        TargetType: (asString(inputs.targetType) ?? 'instance') as 'instance',
        IpAddressType: asString(inputs.ipAddressType) as 'ipv4' | undefined,
        ...healthCheckParams(inputs),
        Tags: tagList(inputs.tags),
      }),
    );
    const group = created.TargetGroups?.[0];
    if (!group?.TargetGroupArn) throw new Error('CreateTargetGroup returned no target group');
    const arn = group.TargetGroupArn;
    const outs: Props = {
      ...inputs,
      targetType: group.TargetType ?? 'instance',
      arn,
      arnSuffix: arnSuffix(arn),
      loadBalancerArns: group.LoadBalancerArns ?? [],
    };
    const attributes = targetGroupAttributes(inputs);
    if (attributes.length > 0) {
      try {
        await client.send(
          new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: attributes }),
        );
      } catch (error) {
        throw new PartialCreateError(arn, outs, error);
      }
    }
    return { id: arn, outs };
  },

  async read(ctx, id, state) {
    const client = ctx.aws.elbv2(asString(state.region));
    return unlessGone(notFound, async () => {
      const found = await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [id] }));
      const group = found.TargetGroups?.[0];
      if (!group) return undefined;
      return {
        ...state,
        arn: id,
        arnSuffix: arnSuffix(id),
        name: group.TargetGroupName ?? null,
        port: group.Port ?? null,
        protocol: group.Protocol ?? null,
        vpcId: group.VpcId ?? null,
        targetType: group.TargetType ?? null,
        loadBalancerArns: group.LoadBalancerArns ?? [],
      };
    });
  },

  async update(ctx, id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.elbv2(asString(news.region));
    if (!sameValue(olds.healthCheck, news.healthCheck)) {
      await client.send(new ModifyTargetGroupCommand({ TargetGroupArn: id, ...healthCheckParams(news) }));
    }
    const attributes = targetGroupAttributes(news);
    if (attributes.length > 0) {
      await client.send(
        new ModifyTargetGroupAttributesCommand({ TargetGroupArn: id, Attributes: attributes }),
      );
    }
    await retag(client, id, olds, news);
    return {};
  },

  async delete(ctx, id, state) {
    await unlessGone(notFound, () =>
      ctx.aws.elbv2(asString(state.region)).send(new DeleteTargetGroupCommand({ TargetGroupArn: id })),
    );
  },
};

export const listener: ResourceKind = {
  token: 'aws:lb/listener:Listener',
  replaceOn: ['loadBalancerArn', 'region'],
  computed: ['arn', 'id', 'tagsAll'],
  optionalComputed: [...REGIONAL, 'port', 'protocol', 'sslPolicy'],
  required: ['loadBalancerArn', 'defaultActions'],

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const client = ctx.aws.elbv2(asString(inputs.region));
    const certificate = asString(inputs.certificateArn);
    const created = await client.send(
      new CreateListenerCommand({
        LoadBalancerArn: asString(inputs.loadBalancerArn),
        Port: asNumber(inputs.port),
        Protocol: (asString(inputs.protocol) ?? (certificate ? 'HTTPS' : 'HTTP')) as 'HTTP',
        SslPolicy: asString(inputs.sslPolicy),
        AlpnPolicy: asString(inputs.alpnPolicy) ? [asString(inputs.alpnPolicy) as string] : undefined,
        Certificates: certificate ? [{ CertificateArn: certificate }] : undefined,
        DefaultActions: asArray(inputs.defaultActions).map(toAction),
        Tags: tagList(inputs.tags),
      }),
    );
    const created0 = created.Listeners?.[0];
    if (!created0?.ListenerArn) throw new Error('CreateListener returned no listener');
    const arn = created0.ListenerArn;
    return {
      id: arn,
      outs: { ...inputs, port: created0.Port ?? null, protocol: created0.Protocol ?? null, arn },
    };
  },

  async read(ctx, id, state) {
    return unlessGone(notFound, async () => {
      const found = await ctx.aws
        .elbv2(asString(state.region))
        .send(new DescribeListenersCommand({ ListenerArns: [id] }));
      const live = found.Listeners?.[0];
      if (!live) return undefined;
      return {
        ...state,
        arn: id,
        loadBalancerArn: live.LoadBalancerArn ?? null,
        port: live.Port ?? null,
        protocol: live.Protocol ?? null,
      };
    });
  },

  async update(ctx, id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.elbv2(asString(news.region));
    const certificate = asString(news.certificateArn);
    await client.send(
      new ModifyListenerCommand({
        ListenerArn: id,
        Port: asNumber(news.port),
        Protocol: asString(news.protocol) as 'HTTP' | undefined,
        SslPolicy: asString(news.sslPolicy),
        AlpnPolicy: asString(news.alpnPolicy) ? [asString(news.alpnPolicy) as string] : undefined,
        Certificates: certificate ? [{ CertificateArn: certificate }] : undefined,
        DefaultActions: asArray(news.defaultActions).map(toAction),
      }),
    );
    await retag(client, id, olds, news);
    return {};
  },

  async delete(ctx, id, state) {
    await unlessGone(notFound, () =>
      ctx.aws.elbv2(asString(state.region)).send(new DeleteListenerCommand({ ListenerArn: id })),
    );
  },
};

/** Like pulumi-aws: without a priority, a rule goes after the highest one on its listener. */
async function nextPriority(client: ElasticLoadBalancingV2Client, listenerArn: string): Promise<number> {
  const rules = await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  const taken = (rules.Rules ?? [])
    .map((rule) => Number(rule.Priority))
    .filter((priority) => Number.isFinite(priority));
  return taken.length > 0 ? Math.max(...taken) + 1 : 1;
}

/**
 * The engine creates sibling rules in parallel: two "next" priorities computed at once would
 * collide. Rule creations on one listener run one after the other in this process, and a
 * collision with another process is retried (pulumi-aws retries PriorityInUse too).
 */
const listenerQueues = new Map<string, Promise<unknown>>();

function onListener<T>(listenerArn: string, work: () => Promise<T>): Promise<T> {
  const previous = listenerQueues.get(listenerArn) ?? Promise.resolve();
  const next = previous.then(work, work);
  listenerQueues.set(
    listenerArn,
    next.catch(() => undefined),
  );
  return next;
}

async function createRule(
  client: ElasticLoadBalancingV2Client,
  inputs: Props,
): Promise<{ arn: string; priority: number }> {
  const listenerArn = asString(inputs.listenerArn) as string;
  const fixed = asNumber(inputs.priority);
  for (let attempt = 1; ; attempt++) {
    const priority = fixed ?? (await nextPriority(client, listenerArn));
    try {
      const created = await client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Actions: asArray(inputs.actions).map(toAction),
          Conditions: toConditions(inputs.conditions),
          Tags: tagList(inputs.tags),
        }),
      );
      const arn = created.Rules?.[0]?.RuleArn;
      if (!arn) throw new Error('CreateRule returned no rule');
      return { arn, priority };
    } catch (error) {
      const inUse = (error as { name?: string })?.name === 'PriorityInUseException';
      if (fixed !== undefined || !inUse || attempt >= 5) throw error;
    }
  }
}

export const listenerRule: ResourceKind = {
  token: 'aws:lb/listenerRule:ListenerRule',
  replaceOn: ['listenerArn', 'region'],
  computed: ['arn', 'id', 'tagsAll'],
  optionalComputed: [...REGIONAL, 'priority'],
  required: ['listenerArn', 'actions', 'conditions'],

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const client = ctx.aws.elbv2(asString(inputs.region));
    const { arn, priority } = await onListener(asString(inputs.listenerArn) ?? '', () =>
      createRule(client, inputs),
    );
    return { id: arn, outs: { ...inputs, priority, arn } };
  },

  async read(ctx, id, state) {
    return unlessGone(notFound, async () => {
      const found = await ctx.aws
        .elbv2(asString(state.region))
        .send(new DescribeRulesCommand({ RuleArns: [id] }));
      const rule = found.Rules?.[0];
      if (!rule) return undefined;
      return { ...state, arn: id, priority: asNumber(rule.Priority) ?? state.priority ?? null };
    });
  },

  async update(ctx, id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.elbv2(asString(news.region));
    const priority = asNumber(news.priority);
    if (priority !== undefined && priority !== asNumber(olds.priority)) {
      await client.send(
        new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: id, Priority: priority }] }),
      );
    }
    if (!sameValue(olds.actions, news.actions) || !sameValue(olds.conditions, news.conditions)) {
      await client.send(
        new ModifyRuleCommand({
          RuleArn: id,
          Actions: asArray(news.actions).map(toAction),
          Conditions: toConditions(news.conditions),
        }),
      );
    }
    await retag(client, id, olds, news);
    return {};
  },

  async delete(ctx, id, state) {
    await unlessGone(notFound, () =>
      ctx.aws.elbv2(asString(state.region)).send(new DeleteRuleCommand({ RuleArn: id })),
    );
  },
};
