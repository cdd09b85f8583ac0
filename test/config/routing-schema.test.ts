/**
 * `target_groups[]` and `listeners[]` in the original tool's spellings and ecs-crd's:
 * what each resolves to, and what ELBv2 would refuse, said at the key to change.
 */
import { expect } from 'chai';
import { config, fileWith, type LooseFile, positions, problems } from './fixtures.js';

const OIDC_SECRET = 'arn:aws:ssm:eu-west-1:123456789012:parameter/shop/api/oidc-secret';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc';

function withRules(rules: unknown[], listener: LooseFile = {}): string {
  return fileWith((f) => {
    f.listeners = [{ port: 443, protocol: 'HTTPS', certificate_arns: [CERT], rules, ...listener }];
  });
}

describe('config: target groups and listeners, original spellings and ELBv2’s rules', () => {
  describe('target_groups[]', () => {
    it('resolves the original’s keys: port, container by port alone, attributes as one-key maps, *_seconds', () => {
      const resolved = config(
        fileWith((f) => {
          f.target_groups = [
            {
              port: 80,
              container: { port: 8080 },
              target_group_attributes: [
                { 'stickiness.enabled': true },
                { 'stickiness.lb_cookie.duration_seconds': 3600 },
                { 'slow_start.duration_seconds': 60 },
                { 'deregistration_delay.timeout_seconds': 120 },
              ],
              health_check: {
                protocol: 'HTTPS',
                interval_seconds: 20,
                timeout_seconds: 6,
                healthy_threshold_count: 4,
                unhealthy_threshold_count: 5,
              },
            },
          ];
        }),
      );
      expect(resolved.target_groups).to.deep.equal([
        {
          container: { name: 'web', port: 8080 },
          port: 80,
          protocol: 'HTTP',
          deregistration_delay: 120,
          attributes: {
            'stickiness.enabled': 'true',
            'stickiness.lb_cookie.duration_seconds': '3600',
            'slow_start.duration_seconds': '60',
          },
          health_check: {
            protocol: 'HTTPS',
            path: '/',
            matcher: '200',
            interval: 20,
            timeout: 6,
            healthy_threshold: 4,
            unhealthy_threshold: 5,
          },
        },
      ]);
    });

    it('declares nothing new for a file without the new keys (absent = AWS’s default)', () => {
      const [group] = config(fileWith(() => {})).target_groups;
      expect(group).to.deep.equal({
        container: { name: 'web', port: 8080 },
        protocol: 'HTTP',
        deregistration_delay: 30,
        health_check: {
          path: '/',
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthy_threshold: 3,
          unhealthy_threshold: 3,
        },
      });
    });

    it('takes attributes as a map, and as the original code’s {key, value} pairs', () => {
      const map = config(
        fileWith((f) => {
          f.target_groups = [
            { target_group_attributes: { 'load_balancing.algorithm.type': 'least_outstanding_requests' } },
          ];
        }),
      );
      expect(map.target_groups[0]?.attributes).to.deep.equal({
        'load_balancing.algorithm.type': 'least_outstanding_requests',
      });
      const pairs = config(
        fileWith((f) => {
          f.target_groups = [
            { target_group_attributes: [{ key: 'load_balancing.cross_zone.enabled', value: false }] },
          ];
        }),
      );
      expect(pairs.target_groups[0]?.attributes).to.deep.equal({
        'load_balancing.cross_zone.enabled': 'false',
      });
    });

    it('refuses an unknown attribute, listing the valid ones, and values AWS refuses', () => {
      const found = problems(
        fileWith((f) => {
          f.target_groups = [
            {
              target_group_attributes: {
                'stickiness.enable': true,
                'slow_start.duration_seconds': 10,
                'stickiness.type': 'source_ip',
              },
            },
          ];
        }),
      );
      expect(found).to.have.length(3);
      expect(found[0]).to.match(
        /^target_groups\[0\]\.target_group_attributes\["stickiness\.enable"\]: `stickiness\.enable` is not an attribute/,
      );
      expect(found[0]).to.include('stickiness.enabled');
      expect(found[0]).to.include('load_balancing.cross_zone.enabled');
      expect(found).to.include(
        'target_groups[0].target_group_attributes["slow_start.duration_seconds"]: must be 0 (off) or an integer from 30 to 900',
      );
      expect(found).to.include(
        'target_groups[0].target_group_attributes["stickiness.type"]: must be one of lb_cookie, app_cookie',
      );
    });

    it('refuses combinations AWS refuses, and the deregistration delay given twice', () => {
      expect(
        problems(
          fileWith((f) => {
            f.target_groups = [
              {
                deregistration_delay: 10,
                target_group_attributes: {
                  'deregistration_delay.timeout_seconds': 20,
                  'stickiness.type': 'app_cookie',
                  'load_balancing.algorithm.anomaly_mitigation': 'on',
                },
              },
            ];
          }),
        ),
      ).to.have.members([
        'target_groups[0].target_group_attributes["load_balancing.algorithm.anomaly_mitigation"]: is only available with load_balancing.algorithm.type weighted_random',
        'target_groups[0].target_group_attributes["stickiness.type"]: app_cookie needs stickiness.app_cookie.cookie_name (the application’s cookie)',
        'target_groups[0].target_group_attributes["deregistration_delay.timeout_seconds"]: is deregistration_delay, which is also given: keep one of them',
      ]);
    });

    it('refuses a health check setting under both its names, and checks the timeout against the original’s interval', () => {
      expect(
        problems(
          fileWith((f) => {
            f.target_groups = [{ health_check: { interval: 10, interval_seconds: 10, timeout_seconds: 30 } }];
          }),
        ),
      ).to.have.members([
        'target_groups[0].health_check.interval_seconds: is the original spelling of interval, which is also given: keep one of them',
        'target_groups[0].health_check.timeout_seconds: must be less than interval (10)',
      ]);
    });

    it('says which containers map a port given alone, at the port’s line, when none or several do', () => {
      const twoMapping = (f: LooseFile) => {
        f.service.containers.push({
          name: 'proxy',
          port_mappings: [{ container_port: 8080 }, { container_port: 9090 }],
        });
      };
      expect(
        problems(
          fileWith((f) => {
            twoMapping(f);
            f.target_groups = [{ container: { port: 8080 } }];
          }),
        ),
      ).to.deep.equal([
        'target_groups[0].container.port: port 8080 is mapped by several containers (`web`, `proxy`): give container.name',
      ]);
      const none = fileWith((f) => {
        twoMapping(f);
        f.target_groups = [{ container: { port: 7000 } }];
      });
      expect(problems(none)).to.deep.equal([
        'target_groups[0].container.port: no container maps port 7000; the containers map: `web` (8080), `proxy` (8080, 9090)',
      ]);
      const line = none.split('\n').findIndex((text) => text.includes('port: 7000')) + 1;
      expect(positions(none)[0]).to.match(new RegExp(`^${line}:`));
      const proxy = config(
        fileWith((f) => {
          twoMapping(f);
          f.target_groups = [{ container: { port: 9090 } }];
          f.listeners = [{ port: 80, target_group: { container: { port: 9090 } } }];
        }),
      );
      expect(proxy.target_groups[0]?.container).to.deep.equal({ name: 'proxy', port: 9090 });
      expect(proxy.listeners[0]?.target_group.container).to.deep.equal({ name: 'proxy', port: 9090 });
    });
  });

  describe('listeners[]', () => {
    it('takes certificates as the original spelling of certificate_arns, with a hint for a domain name', () => {
      const resolved = config(
        fileWith((f) => {
          f.listeners = [{ port: 443, protocol: 'HTTPS', certificates: [CERT] }];
        }),
      );
      expect(resolved.listeners[0]?.certificate_arns).to.deep.equal([CERT]);
      const [message] = problems(
        fileWith((f) => {
          f.listeners = [{ port: 443, protocol: 'HTTPS', certificates: ['api.example.com'] }];
        }),
      );
      expect(message).to.match(/^listeners\[0\]\.certificates\[0\]: .*by domain name.*list-certificates/);
      expect(
        problems(
          fileWith((f) => {
            f.listeners = [{ port: 443, protocol: 'HTTPS', certificates: [CERT], certificate_arns: [CERT] }];
          }),
        ),
      ).to.deep.equal([
        'listeners[0].certificates: is the original spelling of certificate_arns, which is also given: keep one of them',
      ]);
    });

    it('resolves rules in the original form (config: one-key maps) and the flat one to the same thing', () => {
      const original = config(
        withRules([
          {
            priority: 7,
            actions: [
              {
                type: 'authenticate-oidc',
                order: 1,
                config: [
                  { issuer: 'https://idp.example.com' },
                  { authorization_endpoint: 'https://idp.example.com/auth' },
                  { token_endpoint: 'https://idp.example.com/token' },
                  { user_info_endpoint: 'https://idp.example.com/userinfo' },
                  { client_id: 'shop-api' },
                  { client_secret: OIDC_SECRET },
                ],
              },
              {
                type: 'fixed-response',
                order: 2,
                config: [{ StatusCode: 503 }, { content_type: 'text/plain' }, { message_body: 'down' }],
              },
            ],
            conditions: [
              { field: 'path-pattern', values: ['/admin/*'] },
              { field: 'http-header', name: 'X-Env', values: ['beta'] },
            ],
          },
        ]),
      );
      const flat = config(
        withRules([
          {
            priority: 7,
            actions: [
              {
                type: 'authenticate-oidc',
                issuer: 'https://idp.example.com',
                authorization_endpoint: 'https://idp.example.com/auth',
                token_endpoint: 'https://idp.example.com/token',
                user_info_endpoint: 'https://idp.example.com/userinfo',
                client_id: 'shop-api',
                client_secret: OIDC_SECRET,
              },
              {
                type: 'fixed-response',
                status_code: '503',
                content_type: 'text/plain',
                message_body: 'down',
              },
            ],
            conditions: [
              { field: 'path-pattern', values: ['/admin/*'] },
              { field: 'http-header', http_header_name: 'X-Env', values: ['beta'] },
            ],
          },
        ]),
      );
      expect(original.listeners[0]?.rules).to.deep.equal(flat.listeners[0]?.rules);
      expect(flat.listeners[0]?.rules?.[0]).to.deep.equal({
        priority: 7,
        conditions: [
          // No host-header condition: the rule matches the service's names, as the main rule does.
          { field: 'host-header', values: ['api.example.com'] },
          { field: 'path-pattern', values: ['/admin/*'] },
          { field: 'http-header', values: ['beta'], http_header_name: 'X-Env' },
        ],
        actions: [
          {
            type: 'authenticate-oidc',
            order: 1,
            issuer: 'https://idp.example.com',
            authorization_endpoint: 'https://idp.example.com/auth',
            token_endpoint: 'https://idp.example.com/token',
            user_info_endpoint: 'https://idp.example.com/userinfo',
            client_id: 'shop-api',
            client_secret: OIDC_SECRET,
          },
          {
            type: 'fixed-response',
            order: 2,
            status_code: '503',
            content_type: 'text/plain',
            message_body: 'down',
          },
        ],
      });
    });

    it('refuses the OIDC client secret itself, saying to give an ARN', () => {
      const [message] = problems(
        withRules([
          {
            conditions: [{ field: 'path-pattern', values: ['/x'] }],
            actions: [
              {
                type: 'authenticate-oidc',
                issuer: 'https://idp.example.com',
                authorization_endpoint: 'https://idp.example.com/auth',
                token_endpoint: 'https://idp.example.com/token',
                user_info_endpoint: 'https://idp.example.com/userinfo',
                client_id: 'shop-api',
                client_secret: 'hunter2-very-secret',
              },
              { type: 'forward' },
            ],
          },
        ]),
      );
      expect(message).to.match(
        /^listeners\[0\]\.rules\[0\]\.actions\[0\]\.client_secret: must be the ARN of an SSM parameter or a Secrets Manager secret/,
      );
      expect(message).not.to.include('hunter2');
    });

    it('reports a bad key from config at its config entry', () => {
      const text = withRules([
        {
          conditions: [{ field: 'path-pattern', values: ['/old'] }],
          actions: [
            {
              type: 'redirect',
              order: 1,
              config: [{ status_code: 'HTTP_301' }, { path: 'new' }, { colour: 'red' }],
            },
          ],
        },
      ]);
      expect(problems(text)).to.have.members([
        'listeners[0].rules[0].actions[0].config[1].path: must start with /',
        'listeners[0].rules[0].actions[0].config[2].colour: `colour` is not a setting of a redirect action',
      ]);
      const line = text.split('\n').findIndex((l) => l.includes('colour')) + 1;
      expect(positions(text).some((p) => p.startsWith(`${line}:`))).to.equal(true);
    });

    it('checks actions as ELBv2 does: one routing action last, authenticate first and on HTTPS only, unique orders', () => {
      const cognito = {
        type: 'authenticate-cognito',
        user_pool_arn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc',
        user_pool_client_id: 'client',
        user_pool_domain: 'shop',
      };
      const path = [{ field: 'path-pattern', values: ['/a'] }];
      expect(
        problems(
          withRules([
            {
              conditions: path,
              actions: [
                { type: 'forward', order: 1 },
                { ...cognito, order: 2 },
              ],
            },
          ]),
        ),
      ).to.deep.equal([
        'listeners[0].rules[0].actions: must end with exactly one forward, redirect or fixed-response action (ELBv2 runs the actions by order; authenticate-oidc/authenticate-cognito come before it)',
      ]);
      expect(
        problems(
          withRules([
            {
              conditions: path,
              actions: [
                { type: 'forward', order: 1 },
                { type: 'fixed-response', status_code: 200, order: 1 },
              ],
            },
          ]),
        ),
      ).to.include(
        'listeners[0].rules[0].actions[1].order: 1 is already the order of actions[0]: orders must be unique',
      );
      expect(
        problems(
          fileWith((f) => {
            f.listeners = [
              { port: 80, rules: [{ conditions: path, actions: [cognito, { type: 'forward' }] }] },
            ];
          }),
        ),
      ).to.deep.equal([
        'listeners[0].rules[0].actions[0].type: authenticate-cognito is only possible on an HTTPS listener (this one is HTTP)',
      ]);
      expect(
        problems(withRules([{ conditions: path, actions: [cognito, { type: 'forward' }] }])),
      ).to.deep.equal([]);
    });

    it('refuses a redirect to the same URL, bad status codes and content types', () => {
      const path = [{ field: 'path-pattern', values: ['/a'] }];
      expect(
        problems(
          withRules([
            { conditions: path, actions: [{ type: 'redirect', status_code: 'HTTP_301', query: 'a=1' }] },
            {
              conditions: path,
              actions: [{ type: 'fixed-response', status_code: 302, content_type: 'text/xml' }],
            },
            { conditions: path, actions: [{ type: 'redirect', status_code: 'HTTP_308', protocol: 'HTTPS' }] },
          ]),
        ),
      ).to.have.members([
        'listeners[0].rules[0].actions[0]: redirects to the URL it came from: change at least one of protocol, host, port or path (ELBv2 refuses a redirect loop)',
        'listeners[0].rules[1].actions[0].status_code: must be a 2XX, 4XX or 5XX status code',
        'listeners[0].rules[1].actions[0].content_type: must be one of `text/plain`, `text/css`, `text/html`, `application/javascript`, `application/json`: did you mean `text/html`?',
        'listeners[0].rules[2].actions[0].status_code: must be one of `HTTP_301`, `HTTP_302`: did you mean `HTTP_301`?',
      ]);
    });

    it('checks conditions: http-header needs a name, CIDRs, query strings, one of a field, 5 values in all', () => {
      expect(
        problems(
          withRules([
            {
              conditions: [
                { field: 'http-header', values: ['x'] },
                { field: 'source-ip', values: ['10.0.0.0/33', '192.168.0.0/16'] },
                { field: 'query-string', values: ['=x'] },
              ],
              actions: [{ type: 'forward' }],
            },
            {
              conditions: [
                { field: 'path-pattern', values: ['/a'] },
                { field: 'path-pattern', values: ['/b'] },
              ],
              actions: [{ type: 'forward' }],
            },
            {
              conditions: [
                { field: 'host-header', values: ['a.example.com', 'b.example.com', 'c.example.com'] },
                { field: 'path-pattern', values: ['/a', '/b', '/c'] },
              ],
              actions: [{ type: 'forward' }],
            },
          ]),
        ),
      ).to.have.members([
        'listeners[0].rules[0].conditions[0]: an http-header condition needs http_header_name: the header to match',
        'listeners[0].rules[0].conditions[1].values[0]: must be a CIDR block such as 10.0.0.0/8',
        'listeners[0].rules[0].conditions[2].values[0]: must be key=value or value (at most 128 characters)',
        'listeners[0].rules[1].conditions[1].field: path-pattern may appear once per rule: list its values in one condition',
        'listeners[0].rules[2].conditions: match 6 values: an ALB rule takes at most 5 condition values in all',
      ]);
    });

    it('counts the service’s names in a rule without a host-header condition, and refuses a priority twice', () => {
      const found = problems(
        fileWith((f) => {
          f.service.fqdn = ['a.example.com', 'b.example.com', 'c.example.com'];
          f.listeners = [
            {
              port: 80,
              rule: { priority: 3 },
              rules: [
                {
                  priority: 3,
                  conditions: [{ field: 'path-pattern', values: ['/a', '/b', '/c'] }],
                  actions: [{ type: 'forward' }],
                },
              ],
            },
          ];
        }),
      );
      expect(found).to.have.members([
        'listeners[0].rules[0].priority: 3 is already the priority of rule.priority on this listener',
        'listeners[0].rules[0].conditions: match 6 values with 3 host names (the service’s fqdns, as the rule has no host-header condition): an ALB rule takes at most 5 condition values in all',
      ]);
    });
  });
});
