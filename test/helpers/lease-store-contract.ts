/**
 * What every `LeaseStore` must do, run against each one (the file store in the unit tier, the
 * S3 store against the sandbox's moto): exclusive creation, also when ten runs create at once;
 * replace and remove only over the version read; an age by the store's clock; and a control
 * channel whose request reaches exactly one reader.
 */
import { expect } from 'chai';
import type { LeaseHolder, LeaseStore } from '../../src/canary/ports/lease.js';

const holder = (pid: number, command = 'deploy'): LeaseHolder => ({
  host: 'build-7',
  pid,
  user: 'ana',
  command,
  since: '2025-01-01T12:00:00.000Z',
});

export function leaseStoreContract(open: () => LeaseStore, options: { races: number }): void {
  let stack = '';
  let n = 0;
  beforeEach(() => {
    n += 1;
    stack = `shop-orders-api-prod-${n}`;
  });

  it('creates a lease only where there is none, and reads back its holder, version and age', async () => {
    const store = open();
    expect(await store.read(stack)).to.equal(undefined);
    const version = await store.create(stack, holder(1));
    expect(version).to.be.a('string').and.not.equal('');
    expect(await store.create(stack, holder(2))).to.equal(undefined);
    const read = await store.read(stack);
    expect(read?.holder).to.deep.equal(holder(1));
    expect(read?.version).to.equal(version);
    expect(read?.ageMs).to.be.within(0, 5_000);
  });

  it('lets exactly one of ten runs creating at once win, every time', async () => {
    const store = open();
    for (let race = 0; race < options.races; race++) {
      const key = `${stack}-race-${race}`;
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.create(key, holder(100 + i))),
      );
      const winners = created.flatMap((version, i) => (version === undefined ? [] : [i]));
      expect(winners, `race ${race}`).to.have.length(1);
      const read = await store.read(key);
      expect(read?.holder.pid, `race ${race}`).to.equal(100 + (winners[0] ?? -1));
      expect(read?.version).to.equal(created[winners[0] ?? 0]);
    }
  });

  it('replaces only the version read: a renewal, then a stale writer refused', async () => {
    const store = open();
    const first = (await store.create(stack, holder(1))) ?? '';
    const renewed = await store.replace(stack, { ...holder(1), renewed: new Date().toISOString() }, first);
    expect(renewed).to.be.a('string').and.not.equal(first);
    expect(await store.replace(stack, holder(2), first)).to.equal(undefined);
    expect((await store.read(stack))?.holder.pid).to.equal(1);
    expect(await store.replace(`${stack}-none`, holder(2), first)).to.equal(undefined);
  });

  it('lets exactly one of ten runs taking over the same version at once win', async () => {
    const store = open();
    const first = (await store.create(stack, holder(1))) ?? '';
    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.replace(stack, holder(200 + i, 'rollback'), first)),
    );
    const winners = taken.flatMap((version, i) => (version === undefined ? [] : [i]));
    expect(winners).to.have.length(1);
    expect((await store.read(stack))?.holder.pid).to.equal(200 + (winners[0] ?? -1));
  });

  it('removes only the version read', async () => {
    const store = open();
    const first = (await store.create(stack, holder(1))) ?? '';
    const second = (await store.replace(stack, holder(2), first)) ?? '';
    expect(await store.remove(stack, first)).to.equal(false);
    expect(await store.read(stack)).to.not.equal(undefined);
    expect(await store.remove(stack, second)).to.equal(true);
    expect(await store.read(stack)).to.equal(undefined);
    expect(await store.remove(stack, second)).to.equal(false);
  });

  it('ages a lease by its store’s clock, and a renewal makes it young again', async function () {
    this.timeout(20_000);
    const store = open();
    const first = (await store.create(stack, holder(1))) ?? '';
    // S3 keeps times to the second: wait long enough for a whole second to pass on its clock.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const old = await store.read(stack);
    expect(old?.ageMs).to.be.at.least(1_000);
    await store.replace(stack, { ...holder(1), renewed: new Date().toISOString() }, first);
    expect((await store.read(stack))?.ageMs).to.be.below(old?.ageMs ?? 0);
  });

  it('hands a control request to exactly one of the readers, for its deployment only', async () => {
    const store = open();
    const request = { action: 'promote' as const, full: false, deploymentId: 'd-1', by: 'ana', at: 'now' };
    await store.control(stack).send(request);
    const taken = await Promise.all(Array.from({ length: 5 }, () => store.control(stack).take('d-1')));
    expect(taken.filter((t) => t !== null)).to.deep.equal([request]);
    expect(await store.control(stack).take('d-1')).to.equal(null);
    await store.control(stack).send({ ...request, deploymentId: 'd-other' });
    expect(await store.control(stack).take('d-1')).to.equal(null);
    expect(await store.control(stack).take('d-other')).to.equal(null);
  });
}
