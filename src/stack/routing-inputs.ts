/**
 * The file's target group attributes and listener rules in pulumi-aws's input names
 * (`aws.lb.TargetGroup`, `aws.lb.ListenerRule`). Pure: the tests compare these shapes.
 * A key the release does not hold yields no input at all, so a release recorded before these
 * keys existed declares exactly what it declared then.
 */
import type * as aws from '@pulumi/aws/types/input.js';
import type { Input } from '@pulumi/pulumi';
import type { DeploymentConfig, RuleAction, RuleCondition, TargetGroupConfig } from '../config/types.js';

type Inputs = Record<string, unknown>;

/** The entries that are set: an input left undefined is not declared at all. */
const defined = <T extends Record<string, unknown>>(entries: T): T =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as T;

const numberOf = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);
const booleanOf = (value: string | undefined): boolean | undefined =>
  value === undefined ? undefined : value === 'true';

/** `count`/`percentage` of a target group health setting, as pulumi-aws names them. */
function minimumHealthy(attributes: Record<string, string>, prefix: string): Inputs | undefined {
  const count = attributes[`${prefix}.minimum_healthy_targets.count`];
  const percentage = attributes[`${prefix}.minimum_healthy_targets.percentage`];
  if (count === undefined && percentage === undefined) return undefined;
  return defined({ minimumHealthyTargetsCount: count, minimumHealthyTargetsPercentage: percentage });
}

/** `target_group_attributes` as pulumi-aws TargetGroup inputs (empty when there are none). */
export function targetGroupAttributeInputs(tg: TargetGroupConfig): Inputs {
  const a = tg.attributes;
  if (a === undefined) return {};
  const type = a['stickiness.type'];
  const stickinessWritten = Object.keys(a).some((key) => key.startsWith('stickiness.'));
  const stickiness = stickinessWritten
    ? defined({
        // pulumi-aws requires the type; lb_cookie is AWS's default.
        type: type ?? 'lb_cookie',
        enabled: booleanOf(a['stickiness.enabled']) ?? true,
        cookieDuration: numberOf(
          type === 'app_cookie'
            ? a['stickiness.app_cookie.duration_seconds']
            : a['stickiness.lb_cookie.duration_seconds'],
        ),
        cookieName: a['stickiness.app_cookie.cookie_name'],
      })
    : undefined;
  const dnsFailover = minimumHealthy(a, 'target_group_health.dns_failover');
  const unhealthyStateRouting = minimumHealthy(a, 'target_group_health.unhealthy_state_routing');
  return defined({
    stickiness,
    slowStart: numberOf(a['slow_start.duration_seconds']),
    loadBalancingAlgorithmType: a['load_balancing.algorithm.type'],
    loadBalancingAnomalyMitigation: a['load_balancing.algorithm.anomaly_mitigation'],
    loadBalancingCrossZoneEnabled: a['load_balancing.cross_zone.enabled'],
    targetGroupHealth:
      dnsFailover || unhealthyStateRouting ? defined({ dnsFailover, unhealthyStateRouting }) : undefined,
  });
}

/** One RuleCondition as a pulumi-aws `conditions[]` block (one field per block). */
export function conditionInput(condition: RuleCondition): aws.lb.ListenerRuleCondition {
  const { values } = condition;
  switch (condition.field) {
    case 'host-header':
      return { hostHeader: { values } };
    case 'path-pattern':
      return { pathPattern: { values } };
    case 'http-request-method':
      return { httpRequestMethod: { values } };
    case 'source-ip':
      return { sourceIp: { values } };
    case 'http-header':
      return { httpHeader: { httpHeaderName: condition.http_header_name ?? '', values } };
    case 'query-string':
      return {
        queryStrings: values.map((value) => {
          const at = value.indexOf('=');
          return at < 0 ? { value } : { key: value.slice(0, at), value: value.slice(at + 1) };
        }),
      };
  }
}

/** How an authenticate-oidc action gets its client secret: from its ARN, as a Pulumi secret. */
export type SecretResolver = (arn: string) => Input<string>;

const authentication = (action: {
  scope?: string | undefined;
  session_cookie_name?: string | undefined;
  session_timeout?: number | undefined;
  on_unauthenticated_request?: string | undefined;
}): Inputs =>
  defined({
    scope: action.scope,
    sessionCookieName: action.session_cookie_name,
    sessionTimeout: action.session_timeout,
    onUnauthenticatedRequest: action.on_unauthenticated_request,
  });

/** One RuleAction as a pulumi-aws `actions[]` block; `forward` goes to the listener's target group. */
export function actionInput(
  action: RuleAction,
  targetGroupArn: Input<string>,
  resolveSecret: SecretResolver,
): aws.lb.ListenerRuleAction {
  const order = action.order === undefined ? {} : { order: action.order };
  switch (action.type) {
    case 'forward':
      return { type: 'forward', ...order, targetGroupArn };
    case 'redirect':
      return {
        type: 'redirect',
        ...order,
        redirect: defined({
          statusCode: action.status_code,
          protocol: action.protocol,
          host: action.host,
          port: action.port,
          path: action.path,
          query: action.query,
        }),
      };
    case 'fixed-response':
      return {
        type: 'fixed-response',
        ...order,
        fixedResponse: defined({
          statusCode: action.status_code,
          contentType: action.content_type ?? 'text/plain',
          messageBody: action.message_body,
        }),
      };
    case 'authenticate-oidc':
      return {
        type: 'authenticate-oidc',
        ...order,
        authenticateOidc: {
          issuer: action.issuer,
          authorizationEndpoint: action.authorization_endpoint,
          tokenEndpoint: action.token_endpoint,
          userInfoEndpoint: action.user_info_endpoint,
          clientId: action.client_id,
          clientSecret: resolveSecret(action.client_secret),
          ...authentication(action),
        },
      };
    case 'authenticate-cognito':
      return {
        type: 'authenticate-cognito',
        ...order,
        authenticateCognito: {
          userPoolArn: action.user_pool_arn,
          userPoolClientId: action.user_pool_client_id,
          userPoolDomain: action.user_pool_domain,
          ...authentication(action),
        },
      };
  }
}

/** The ARNs of the client secrets the releases' authenticate-oidc actions need, each once. */
export function clientSecretArns(releases: readonly (DeploymentConfig | undefined)[]): string[] {
  const arns = releases.flatMap((release) =>
    (release?.listeners ?? []).flatMap((listener) =>
      (listener.rules ?? []).flatMap((rule) =>
        rule.actions.flatMap((action) => (action.type === 'authenticate-oidc' ? [action.client_secret] : [])),
      ),
    ),
  );
  return [...new Set(arns)];
}
