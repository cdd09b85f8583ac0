import { expect } from 'chai';
import {
  checkOwnership,
  declaredNames,
  existingRules,
  type OwnershipInput,
  ownerOfTags,
  ownerOfValue,
  ownershipRecordName,
  ownershipValue,
  ownerTags,
} from '../../src/canary/ownership.js';
import { buildConfig, buildDesiredState, buildEnvironment } from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';

const FQDN = 'api.example.com';
const SERVICE_NAMES = ['shop-api-prod-blue', 'shop-api-prod-green'];
const input = (overrides: Partial<OwnershipInput> = {}): OwnershipInput => ({
  stack: 'shop-api-prod-eu-west-1',
  fqdns: [FQDN],
  owners: {},
  records: {},
  declared: [],
  adopt: false,
  service: { project: 'shop', name: 'api', environment: 'prod' },
  rules: [],
  services: { cluster: 'main', names: SERVICE_NAMES, live: {}, own: [] },
  ...overrides,
});

describe('ownership of names', () => {
  it('records the owner beside the name, and reads it back as Route 53 returns it (quoted)', () => {
    expect(ownershipRecordName(FQDN)).to.equal('_ecs-crd.api.example.com');
    const value = ownershipValue('shop-api-prod-eu-west-1');
    expect(ownerOfValue(value)).to.equal('shop-api-prod-eu-west-1');
    expect(ownerOfValue(`"${value}"`)).to.equal('shop-api-prod-eu-west-1');
    expect(ownerOfValue('"v=spf1 include:_spf.example.com ~all"')).to.equal(null);
    expect(ownerOfValue('"heritage=external-dns,external-dns/owner=default"')).to.equal(null);
  });

  it('lets a stack deploy a new name, and its own names', () => {
    expect(checkOwnership(input())).to.deep.equal({ refused: [], adopted: [] });
    const own = input({ owners: { [FQDN]: 'shop-api-prod-eu-west-1' }, records: { [FQDN]: { blue: 100 } } });
    expect(checkOwnership(own)).to.deep.equal({ refused: [], adopted: [] });
  });

  it('refuses a name another stack owns, even with --adopt, naming the owner', () => {
    const taken = input({ owners: { [FQDN]: 'shop-api2-prod-eu-west-1' }, adopt: true });
    const { refused } = checkOwnership(taken);
    expect(refused).to.have.length(1);
    expect(refused[0]).to.match(/^api\.example\.com belongs to the ecs-crd stack shop-api2-prod-eu-west-1/);
  });

  it('refuses records nobody owns unless --adopt, which takes them over', () => {
    const unowned = input({ records: { [FQDN]: { blue: 100, green: 0 } } });
    expect(checkOwnership(unowned).refused[0]).to.match(/no ecs-crd stack owns.*--adopt/);
    expect(checkOwnership({ ...unowned, adopt: true })).to.deep.equal({ refused: [], adopted: [FQDN] });
  });

  it('takes a name the stack declared before ownership was recorded as its own', () => {
    const previous = outputsOf(
      buildDesiredState({ releases: { blue: buildConfig({ service: { fqdn: [FQDN] } }) } }),
    );
    expect(declaredNames(previous)).to.deep.equal([FQDN]);
    expect(declaredNames(null)).to.deep.equal([]);
    const before = input({ records: { [FQDN]: { blue: 100 } }, declared: declaredNames(previous) });
    expect(checkOwnership(before)).to.deep.equal({ refused: [], adopted: [] });
    // Written in other letters before, the same name.
    const shouted = input({ records: { [FQDN]: { blue: 100 } }, declared: ['API.Example.com'] });
    expect(checkOwnership(shouted)).to.deep.equal({ refused: [], adopted: [] });
  });

  describe('listener rules', () => {
    const rule = (owner: OwnershipInput['service'] | null) => ({
      where: 'port 443 of alb-green (the green slot)',
      ruleArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/alb-green/1/2/3',
      owner,
    });

    it('takes a rule tagged with this service as its own, and ignores one without ecs-crd tags', () => {
      const own = input({ rules: [rule({ project: 'shop', name: 'api', environment: 'prod' }), rule(null)] });
      expect(checkOwnership(own)).to.deep.equal({ refused: [], adopted: [] });
    });

    it('refuses a rule of another ecs-crd service routing the same hosts, even with --adopt, naming it', () => {
      for (const other of [
        { project: 'shop', name: 'api2', environment: 'prod' },
        { project: 'shop', name: 'api', environment: 'stage' },
      ]) {
        const { refused } = checkOwnership(input({ rules: [rule(other)], adopt: true }));
        expect(refused).to.have.length(1);
        expect(refused[0]).to.include(
          `for the ecs-crd service shop/${other.name} (environment ${other.environment})`,
        );
        expect(refused[0]).to.include('port 443 of alb-green (the green slot)');
      }
    });

    it('reads the rules discovery found on each slot listener', () => {
      const owner = { project: 'shop', name: 'api2', environment: 'prod' };
      const environment = buildEnvironment();
      const green = environment.slots.green;
      const listener = green.listeners[0];
      if (listener === undefined) throw new Error('the sample environment has a listener');
      listener.existingRule = { ruleArn: 'arn:rule', owner };
      expect(existingRules(environment)).to.deep.equal([
        { where: `port ${listener.port} of ${green.albName} (the green slot)`, ruleArn: 'arn:rule', owner },
      ]);
    });
  });

  describe('ECS services', () => {
    const services = (live: Record<string, string>, own: string[] = []) => ({
      cluster: 'main',
      names: SERVICE_NAMES,
      live,
      own,
    });

    it('lets a stack deploy over its own services', () => {
      const own = input({ services: services({ 'shop-api-prod-blue': 'ACTIVE' }, ['shop-api-prod-blue']) });
      expect(checkOwnership(own).refused).to.deep.equal([]);
    });

    it('refuses a same-named service the stack did not create, even with --adopt, naming it', () => {
      const { refused } = checkOwnership(
        input({ services: services({ 'shop-api-prod-green': 'ACTIVE' }), adopt: true }),
      );
      expect(refused).to.have.length(1);
      expect(refused[0]).to.match(
        /ECS service shop-api-prod-green already exists in cluster main \(ACTIVE\) and this stack did not create it/,
      );
    });

    it('says to wait for a same-named service that is still draining', () => {
      const { refused } = checkOwnership(input({ services: services({ 'shop-api-prod-blue': 'DRAINING' }) }));
      expect(refused[0]).to.match(/shop-api-prod-blue of cluster main is still DRAINING/);
    });
  });

  it('names a service in its resources’ tags, and reads it back only from all three', () => {
    const owner = { project: 'shop', name: 'api', environment: 'prod' };
    expect(ownerOfTags(new Map(Object.entries(ownerTags(owner))))).to.deep.equal(owner);
    const partial = new Map(
      Object.entries(ownerTags(owner)).filter(([key]) => key !== 'ecs-crd:environment'),
    );
    expect(ownerOfTags(partial)).to.equal(null);
  });
});
