/**
 * The traffic model's rules, as AWS documents them, over a snapshot of the emulator: how
 * Route 53 answers a name made of weighted alias records, and how an ALB routes a request.
 * Pure: no clock, no I/O; the randomness comes in as a seeded generator.
 *
 * Sources:
 * - Route 53 weighted routing (Developer Guide, "Weighted routing" and "How Amazon Route 53
 *   chooses records when health checking is configured"): a record is chosen with probability
 *   weight / sum of weights; records whose alias target is unhealthy are left out when
 *   EvaluateTargetHealth is set; records of weight 0 are answered only when every record of
 *   non-zero weight is unavailable, then with equal probability.
 * - Route 53 API Reference, AliasTarget.EvaluateTargetHealth, for an Application Load
 *   Balancer: it is healthy when every target group of it that has registered targets has at
 *   least one healthy target.
 * - Elastic Load Balancing, Application Load Balancers guide: rules are evaluated in priority
 *   order, the default action applies when none matches ("Listener rules"); host-header and
 *   path-pattern match case-insensitively / case-sensitively, with `*` and `?` wildcards
 *   ("Rule condition types"); new requests go only to `healthy` targets, never to `initial`
 *   or `draining` ones, and a target group whose registered targets are all unhealthy fails
 *   open, sending requests to all of them ("Health checks for your target groups").
 * - Elastic Load Balancing, "CloudWatch metrics for your Application Load Balancer"
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
 *   what a request adds to RequestCount, HTTPCode_Target_5XX_Count, HTTPCode_ELB_5XX_Count
 *   and TargetResponseTime (see `answer`).
 */

export type TargetState = 'healthy' | 'unhealthy' | 'initial' | 'draining' | 'unavailable' | 'unused';

export interface TargetGroupView {
  arn: string;
  /** Its CloudWatch `TargetGroup` dimension: `targetgroup/<name>/<id>`, the ARN's resource part. */
  dimension: string;
  /** What the request reaches: the release (`<service> <version> (<slot>)`), from its tags. */
  release: string;
  targets: TargetState[];
  /** `SANDBOX_ERROR_RATE` of the release behind it: the share (0–1) a healthy target answers 5xx. */
  errorRate: number;
  /** `SANDBOX_LATENCY_MS` of the release behind it: its mean response time. */
  latencyMs: number;
}

/** A release's response time when its container does not say (`SANDBOX_LATENCY_MS` unset). */
export const DEFAULT_LATENCY_MS = 20;

export interface RuleView {
  priority: number;
  hosts: string[];
  paths: string[];
  targetGroupArn: string;
}

export type DefaultAction = { kind: 'forward'; targetGroupArn: string } | { kind: 'fixed'; status: number };

export interface ListenerView {
  port: number;
  rules: RuleView[];
  defaultAction: DefaultAction;
}

export interface AlbView {
  dnsName: string;
  /** Its CloudWatch `LoadBalancer` dimension: `app/<name>/<id>`, the ARN after `loadbalancer/`. */
  dimension: string;
  listeners: ListenerView[];
}

export interface RecordView {
  setIdentifier: string;
  weight: number;
  /** The ALB's DNS name the alias points at. */
  aliasDnsName: string;
  evaluateTargetHealth: boolean;
}

/** What the emulator holds at one instant, as far as traffic is concerned. */
export interface World {
  /** The weighted alias A records of each name. */
  records: Record<string, RecordView[]>;
  albs: AlbView[];
  targetGroups: Record<string, TargetGroupView>;
}

/** Why a request did not get a 2xx answer. */
export type FailureReason =
  | 'no-record'
  | 'no-load-balancer'
  | 'no-listener'
  | 'no-rule'
  | 'no-target'
  | 'target-unhealthy'
  /** A healthy target answered 5xx (its release's `SANDBOX_ERROR_RATE`): the release is wrong, not down. */
  | 'target-5xx';

/** Where a request went, as CloudWatch dimensions: its ALB and target group, when it got that far. */
export interface Via {
  alb?: string;
  targetGroup?: string;
}

export type Outcome = ({ served: string } | { failed: FailureReason }) & Via;

/** One request as the ALB's CloudWatch metrics see it (`answer`). */
export interface Answer {
  outcome: Outcome;
  /** Counted in RequestCount: the ALB chose a target for it. */
  counted: boolean;
  /** An HTTPCode_Target_5XX_Count: a target answered 5xx. */
  target5xx: boolean;
  /** An HTTPCode_ELB_5XX_Count: the ALB itself answered 5xx (503 no target, 502 target unreachable). */
  elb5xx: boolean;
  /** TargetResponseTime in milliseconds, when a target answered; null otherwise. */
  latencyMs: number | null;
}

/** A seeded source of numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: small, fast and deterministic for a seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ALB DNS name Route 53 answers `name` with, or null when it has no record. */
export function resolve(world: World, name: string, random: Random): string | null {
  const records = world.records[normalizeName(name)] ?? [];
  const available = records.filter(
    (record) => !record.evaluateTargetHealth || albHealthy(world, record.aliasDnsName),
  );
  const weighted = available.filter((record) => record.weight > 0);
  if (weighted.length > 0) return pickWeighted(weighted, random).aliasDnsName;
  const zero = available.filter((record) => record.weight === 0);
  if (zero.length > 0) return (zero[Math.floor(random() * zero.length)] ?? zero[0])?.aliasDnsName ?? null;
  return null;
}

/** Where one request for `host` `path` on `port` of the ALB at `dnsName` ends. */
export function route(world: World, dnsName: string, port: number, host: string, path: string): Outcome {
  const alb = world.albs.find((candidate) => candidate.dnsName === dnsName);
  if (!alb) return { failed: 'no-load-balancer' };
  const via = { alb: alb.dimension };
  const listener = alb.listeners.find((candidate) => candidate.port === port);
  if (!listener) return { failed: 'no-listener', ...via };
  const rule = [...listener.rules]
    .sort((a, b) => a.priority - b.priority)
    .find((candidate) => matchesAny(candidate.hosts, host, false) && matchesAny(candidate.paths, path, true));
  const action: DefaultAction = rule
    ? { kind: 'forward', targetGroupArn: rule.targetGroupArn }
    : listener.defaultAction;
  if (action.kind === 'fixed') return { failed: 'no-rule', ...via };
  const group = world.targetGroups[action.targetGroupArn];
  if (!group) return { failed: 'no-target', ...via };
  const reached = { ...via, targetGroup: group.dimension };
  if (group.targets.includes('healthy')) return { served: group.release, ...reached };
  // Fail open: all registered targets unhealthy still get the request; they answer 5xx.
  if (group.targets.some((state) => state === 'unhealthy')) return { failed: 'target-unhealthy', ...reached };
  return { failed: 'no-target', ...reached };
}

/**
 * What one routed request adds to the ALB's metrics, and how its target answered. A healthy
 * target answers 5xx with its release's error rate, after a response time drawn around its
 * mean. RequestCount counts only requests for which the ALB chose a target (AWS: requests
 * rejected before a target is chosen are not counted); a target group with no target left is
 * the ALB's own 503, and a fail-open request to unhealthy targets is counted as the ALB's 502
 * (the target does not answer), with no TargetResponseTime.
 */
export function answer(world: World, outcome: Outcome, random: Random): Answer {
  const group = Object.values(world.targetGroups).find((view) => view.dimension === outcome.targetGroup);
  if ('served' in outcome && group) {
    const latencyMs = responseTime(group.latencyMs, random);
    if (random() < group.errorRate) {
      const { served: _served, ...via } = outcome;
      return {
        outcome: { failed: 'target-5xx', ...via },
        counted: true,
        target5xx: true,
        elb5xx: false,
        latencyMs,
      };
    }
    return { outcome, counted: true, target5xx: false, elb5xx: false, latencyMs };
  }
  const failed = 'failed' in outcome ? outcome.failed : null;
  return {
    outcome,
    counted: failed === 'target-unhealthy',
    target5xx: false,
    elb5xx: failed === 'target-unhealthy' || failed === 'no-target',
    latencyMs: null,
  };
}

/**
 * A response time around `meanMs`: log-normal with that mean and σ = 0.25, so most answers are
 * within ±30 % of the mean and the tail puts p99 at about 1.7 × the mean, as real services do.
 */
export function responseTime(meanMs: number, random: Random): number {
  const sigma = 0.25;
  // Box–Muller: a standard normal draw from two uniform ones (1 - u keeps log's argument > 0).
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return meanMs * Math.exp(sigma * normal - (sigma * sigma) / 2);
}

/** Route 53's health of an ALB alias target. */
export function albHealthy(world: World, dnsName: string): boolean {
  const alb = world.albs.find((candidate) => candidate.dnsName === dnsName);
  if (!alb) return false;
  const arns = new Set(
    alb.listeners.flatMap((listener) => [
      ...listener.rules.map((rule) => rule.targetGroupArn),
      ...(listener.defaultAction.kind === 'forward' ? [listener.defaultAction.targetGroupArn] : []),
    ]),
  );
  return [...arns].every((arn) => {
    const targets = world.targetGroups[arn]?.targets ?? [];
    return targets.length === 0 || targets.includes('healthy');
  });
}

/** Lower case, no trailing dot: how DNS compares names. */
export function normalizeName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function pickWeighted(records: RecordView[], random: Random): RecordView {
  const total = records.reduce((sum, record) => sum + record.weight, 0);
  let point = random() * total;
  for (const record of records) {
    point -= record.weight;
    if (point < 0) return record;
  }
  return records[records.length - 1] as RecordView;
}

/** No condition of that kind matches everything; otherwise one pattern of the list must match. */
function matchesAny(patterns: string[], value: string, caseSensitive: boolean): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => wildcard(pattern, caseSensitive).test(value));
}

function wildcard(pattern: string, caseSensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, caseSensitive ? '' : 'i');
}
