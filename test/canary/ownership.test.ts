import { expect } from 'chai';
import {
  checkOwnership,
  declaredNames,
  type OwnershipInput,
  ownerOfValue,
  ownershipRecordName,
  ownershipValue,
} from '../../src/canary/ownership.js';
import { buildConfig, buildDesiredState } from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';

const FQDN = 'api.example.com';
const input = (overrides: Partial<OwnershipInput> = {}): OwnershipInput => ({
  stack: 'shop-api-prod-eu-west-1',
  fqdns: [FQDN],
  owners: {},
  records: {},
  declared: [],
  adopt: false,
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
});
