import { expect } from 'chai';
import {
  clusterArn,
  logGroupName,
  logicalNames,
  partitionOf,
  roleName,
  serviceName,
  stackName,
  targetGroupName,
  taskFamily,
} from '../../src/stack/naming.js';
import { buildIdentity } from '../helpers/builders.js';

describe('stack naming', () => {
  const identity = buildIdentity();

  describe('stackName', () => {
    it('joins project, name, environment and region', () => {
      expect(stackName(identity)).to.equal('shop-orders-api-prod-eu-west-1');
    });

    it('replaces characters Pulumi refuses and marks the change with a hash', () => {
      const name = stackName(buildIdentity({ project: 'my shop', name: 'orders/api' }));
      expect(name).to.match(/^my-shop-orders-api-prod-eu-west-1-[0-9a-f]{6}$/);
    });

    it('never maps two identities that differ only in a replaced character to one stack', () => {
      const slash = stackName(buildIdentity({ name: 'orders/api' }));
      const hyphen = stackName(buildIdentity({ name: 'orders-api' }));
      expect(slash).not.to.equal(hyphen);
    });

    it('keeps within 100 characters, deterministically', () => {
      const long = buildIdentity({ name: 'x'.repeat(150) });
      expect(stackName(long)).to.have.length(100);
      expect(stackName(long)).to.equal(stackName(buildIdentity({ name: 'x'.repeat(150) })));
      expect(stackName(long)).not.to.equal(stackName(buildIdentity({ name: 'x'.repeat(151) })));
    });
  });

  describe('targetGroupName', () => {
    const web = { name: 'web', port: 8080 };

    it('is readable, slot-specific, and at most 32 characters', () => {
      const name = targetGroupName(identity, 'green', web);
      expect(name).to.match(/^orders-api-prod-green-[0-9a-f]{6}$/);
      expect(name.length).to.be.at.most(32);
    });

    it('differs per slot, container, project and environment', () => {
      const names = [
        targetGroupName(identity, 'blue', web),
        targetGroupName(identity, 'green', web),
        targetGroupName(identity, 'blue', { name: 'admin', port: 8080 }),
        targetGroupName(identity, 'blue', { name: 'web', port: 9090 }),
        targetGroupName(buildIdentity({ project: 'other' }), 'blue', web),
        targetGroupName(buildIdentity({ environment: 'stage' }), 'blue', web),
      ];
      expect(new Set(names).size).to.equal(names.length);
    });

    it('cuts a long service name and keeps AWS rules: letters, digits, inner hyphens', () => {
      const name = targetGroupName(
        buildIdentity({ name: 'a-very_long.service-name-that-goes-on-' }),
        'green',
        web,
      );
      expect(name.length).to.be.at.most(32);
      expect(name).to.match(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/);
      expect(name).not.to.include('--');
    });

    it('avoids the reserved internal- prefix', () => {
      expect(targetGroupName(buildIdentity({ name: 'internal' }), 'blue', web)).not.to.match(/^internal-/i);
    });
  });

  describe('other physical names', () => {
    it('names the task family and the service per slot, and one log group for the service', () => {
      expect(taskFamily(identity, 'blue')).to.equal('shop-orders-api-prod-blue');
      expect(serviceName(identity, 'green')).to.equal('shop-orders-api-prod-green');
      expect(logGroupName(identity)).to.equal('/ecs/shop/orders-api/prod');
    });

    it('gives each environment of a service its own ECS services: names are unique per cluster', () => {
      const qua = buildIdentity({ environment: 'qua' });
      const stage = buildIdentity({ environment: 'stage' });
      expect(serviceName(qua, 'blue')).not.to.equal(serviceName(stage, 'blue'));
      expect(serviceName(buildIdentity({ project: 'a' }), 'blue')).not.to.equal(
        serviceName(buildIdentity({ project: 'b' }), 'blue'),
      );
    });

    it('puts the region in role names, IAM being global to the account', () => {
      expect(roleName(identity, 'execution')).to.equal('shop-orders-api-prod-eu-west-1-execution');
      expect(roleName(identity, 'task')).to.equal('shop-orders-api-prod-eu-west-1-task');
    });

    it('keeps role names within IAM’s 64 characters', () => {
      const name = roleName(buildIdentity({ name: 'n'.repeat(80) }), 'execution');
      expect(name).to.have.length(64);
    });
  });

  describe('ARNs', () => {
    it('finds the partition of a region', () => {
      expect(partitionOf('eu-west-1')).to.equal('aws');
      expect(partitionOf('cn-north-1')).to.equal('aws-cn');
      expect(partitionOf('us-gov-west-1')).to.equal('aws-us-gov');
    });

    it('turns a cluster name into its ARN and leaves an ARN alone', () => {
      const where = { region: 'eu-west-1', accountId: '123456789012' };
      expect(clusterArn('main', where)).to.equal('arn:aws:ecs:eu-west-1:123456789012:cluster/main');
      const arn = 'arn:aws:ecs:eu-west-1:210987654321:cluster/shared';
      expect(clusterArn(arn, where)).to.equal(arn);
    });
  });

  describe('logicalNames', () => {
    it('prefixes every per-slot resource with its slot', () => {
      const web = { name: 'web', port: 8080 };
      const perSlot = [
        logicalNames.taskDefinition('blue'),
        logicalNames.service('blue'),
        logicalNames.targetGroup('blue', web),
        logicalNames.listener('blue', 443),
        logicalNames.listenerCertificate('blue', 443, 1),
        logicalNames.listenerRule('blue', 443),
        logicalNames.taskPolicy('blue'),
        logicalNames.secretsPolicy('blue'),
      ];
      for (const name of perSlot) expect(name).to.match(/^blue-/);
      expect(logicalNames.record('orders.example.com', 'blue')).to.equal('record-orders.example.com-blue');
    });
  });
});
