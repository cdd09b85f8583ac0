/**
 * The priorities of a listener entry's further rules (`listeners[].rules`): the file's, this
 * service's own earlier rule's, else the lowest free, never another rule's nor one handed out.
 */
import type { Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect } from 'chai';
import { chooseRulePriorities, sameRuleConditions, type WantedRule } from '../../src/aws/rule-priorities.js';
import type { RuleCondition } from '../../src/config/types.js';
import { UsageError } from '../../src/errors.js';

const HOSTS: RuleCondition = { field: 'host-header', values: ['api.example.com'] };

function awsRule(
  arn: string,
  priority: number | 'default',
  paths: string[],
  extra: Rule['Conditions'] = [],
): Rule {
  return {
    RuleArn: arn,
    Priority: String(priority),
    IsDefault: priority === 'default',
    Conditions: [
      { Field: 'host-header', HostHeaderConfig: { Values: ['API.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: paths } },
      ...(extra ?? []),
    ],
  };
}

const wanted = (paths: string[], priority?: number): WantedRule => ({
  ...(priority === undefined ? {} : { priority }),
  conditions: [HOSTS, { field: 'path-pattern', values: paths }],
});

const context = (i: number) => ({
  where: 'port 443 of alb-blue (the blue slot)',
  key: `listeners[0].rules[${i}].priority`,
});

describe('aws: priorities of the further listener rules', () => {
  it('hands out the lowest free priorities, past the main rule’s and every other rule’s', () => {
    const rules = [
      awsRule('default', 'default', []),
      awsRule('other', 1, ['/other']),
      awsRule('x', 3, ['/x']),
    ];
    const reserved = new Set([2]);
    expect(
      chooseRulePriorities(rules, [wanted(['/a']), wanted(['/b'])], new Set(), reserved, context),
    ).to.deep.equal([4, 5]);
    expect([...reserved]).to.have.members([2, 4, 5]);
  });

  it('keeps this service’s own rule’s priority, but not another service’s rule with the same conditions', () => {
    const rules = [awsRule('mine', 12, ['/a']), awsRule('theirs', 13, ['/b'])];
    expect(
      chooseRulePriorities(rules, [wanted(['/a']), wanted(['/b'])], new Set(['mine']), new Set(), context),
    ).to.deep.equal([12, 1]);
  });

  it('takes the file’s priority when free, and names the holder when it is not', () => {
    const rules = [awsRule('theirs', 7, ['/b'])];
    expect(chooseRulePriorities(rules, [wanted(['/a'], 9)], new Set(), new Set(), context)).to.deep.equal([
      9,
    ]);
    expect(() => chooseRulePriorities(rules, [wanted(['/a'], 7)], new Set(), new Set(), context))
      .to.throw(
        UsageError,
        /priority 7 on port 443 of alb-blue \(the blue slot\) is already taken by rule theirs/,
      )
      .with.property('hint')
      .that.matches(/listeners\[0\]\.rules\[0\]\.priority \(the lowest free one is 1\)/);
    expect(() =>
      chooseRulePriorities([], [wanted(['/a'], 5), wanted(['/b'], 5)], new Set(), new Set(), context),
    ).to.throw(/already taken by another listener entry of this file/);
  });

  it('compares conditions as sets, host names without case, http headers by name, query strings as key=value', () => {
    const rule = awsRule(
      'r',
      4,
      ['/a', '/b'],
      [
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['beta'] } },
        {
          Field: 'query-string',
          QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }, { Value: 'debug' }] },
        },
      ],
    );
    const same: WantedRule = {
      conditions: [
        { field: 'query-string', values: ['debug', 'v=2'] },
        { field: 'http-header', http_header_name: 'x-env', values: ['beta'] },
        { field: 'path-pattern', values: ['/b', '/a'] },
        HOSTS,
      ],
    };
    expect(sameRuleConditions(rule, same)).to.equal(true);
    expect(sameRuleConditions(rule, { conditions: same.conditions.slice(1) })).to.equal(false);
  });
});
