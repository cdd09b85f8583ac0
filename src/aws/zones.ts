/**
 * The Route 53 side of discovery: the hosted zone of every fqdn (longest suffix match) and
 * the live weights of its weighted records, for the drift check.
 */
import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { ownerOfValue, ownershipRecordName } from '../canary/ownership.js';
import type { HostedZoneInfo } from '../canary/ports/aws.js';
import { UsageError } from '../errors.js';
import type { Route53Api } from './clients.js';
import { allPages } from './util.js';

// ---------------------------------------------------------------- hosted zones

/** A hosted zone as discovery compares it. */
export interface ZoneSummary {
  /** Without the `/hostedzone/` prefix. */
  id: string;
  /** Normalised: lower case, no trailing dot, escapes decoded. */
  name: string;
  private: boolean;
}

export async function findZones(
  route53: Route53Api,
  fqdns: string[],
  privateZone: boolean,
): Promise<HostedZoneInfo[]> {
  const pages = await allPages(
    (Marker: string | undefined) => route53.listHostedZones({ Marker }),
    (page) => (page.IsTruncated === true ? page.NextMarker : undefined),
  );
  const zones = pages
    .flatMap((page) => page.HostedZones ?? [])
    .map((zone) => ({
      id: (zone.Id ?? '').replace(/^\/hostedzone\//, ''),
      name: normalizeDnsName(zone.Name ?? ''),
      private: zone.Config?.PrivateZone === true,
    }));
  return fqdns.map((fqdn) => matchZone(fqdn, zones, privateZone));
}

/**
 * The hosted zone of an fqdn: among the zones of the asked visibility, the one whose name is
 * the longest suffix of the fqdn (at a label boundary).
 */
export function matchZone(fqdn: string, zones: ZoneSummary[], privateZone: boolean): HostedZoneInfo {
  const name = normalizeDnsName(fqdn);
  const kind = privateZone ? 'private' : 'public';
  const eligible = zones.filter((zone) => zone.private === privateZone);
  const containing = eligible.filter((zone) => name === zone.name || name.endsWith(`.${zone.name}`));
  const longest = Math.max(0, ...containing.map((zone) => zone.name.length));
  const best = containing.filter((zone) => zone.name.length === longest);
  const [zone, ...twins] = best;
  if (zone === undefined) {
    const otherKind = zones.filter((candidate) => candidate.private !== privateZone);
    const found = [
      `${kind} zones: ${listNames(eligible)}`,
      ...(otherKind.length > 0
        ? [`${privateZone ? 'public' : 'private'} zones: ${listNames(otherKind)}`]
        : []),
    ].join('; ');
    throw new UsageError(`No ${kind} hosted zone of this account contains ${fqdn} (${found}).`, {
      hint: `Create a ${kind} hosted zone for ${fqdn} or one of its parent domains, or correct service.fqdn${privateZone ? '' : ' (for a private zone, ask for one explicitly)'}.`,
    });
  }
  if (twins.length > 0) {
    throw new UsageError(
      `${best.length} ${kind} hosted zones are named ${zone.name} (${best.map((z) => z.id).join(', ')}): ecs-crd cannot tell which one serves ${fqdn}.`,
      { hint: `Delete the hosted zone ${zone.name} that is not delegated to, so only one remains.` },
    );
  }
  return { fqdn, zoneId: zone.id, zoneName: zone.name };
}

function listNames(zones: ZoneSummary[]): string {
  const LIMIT = 10;
  if (zones.length === 0) return 'none';
  const names = zones.slice(0, LIMIT).map((zone) => zone.name);
  return zones.length > LIMIT ? `${names.join(', ')} and ${zones.length - LIMIT} more` : names.join(', ');
}

/**
 * A DNS name as Route 53 compares it: lower case, without the trailing dot, with Route 53's
 * octal escapes (`\052` for `*`) decoded.
 */
export function normalizeDnsName(name: string): string {
  return name
    .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .replace(/\.$/, '')
    .toLowerCase();
}

// ---------------------------------------------------------------- live weights

export async function liveWeights(
  route53: Route53Api,
  zones: HostedZoneInfo[],
): Promise<Record<string, Record<string, number>>> {
  const entries = await Promise.all(
    zones.map(async (zone) => [zone.fqdn, await recordWeights(route53, zone)]),
  );
  return Object.fromEntries(entries);
}

/** Where the next page of ListResourceRecordSets starts. */
interface RecordToken {
  name: string | undefined;
  type: RRType | undefined;
  identifier: string | undefined;
}

/** Set identifier → weight of the weighted A records of one fqdn. */
async function recordWeights(route53: Route53Api, zone: HostedZoneInfo): Promise<Record<string, number>> {
  const name = normalizeDnsName(zone.fqdn);
  const isWanted = (record: ResourceRecordSet) =>
    record.Type === 'A' && normalizeDnsName(record.Name ?? '') === name;
  // Route 53 lists records sorted by name and type: start at <fqdn> A and stop once past it.
  const pages = await allPages(
    (token: RecordToken | undefined) =>
      route53.listResourceRecordSets({
        HostedZoneId: zone.zoneId,
        StartRecordName: token?.name ?? zone.fqdn,
        StartRecordType: token?.type ?? 'A',
        StartRecordIdentifier: token?.identifier,
      }),
    (page) => {
      const last = page.ResourceRecordSets?.at(-1);
      const more =
        page.IsTruncated === true &&
        page.NextRecordName !== undefined &&
        last !== undefined &&
        isWanted(last);
      return more
        ? { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier }
        : undefined;
    },
  );
  const weights: Record<string, number> = {};
  for (const record of pages.flatMap((page) => page.ResourceRecordSets ?? [])) {
    if (isWanted(record) && record.SetIdentifier !== undefined && record.Weight !== undefined) {
      weights[record.SetIdentifier] = record.Weight;
    }
  }
  return weights;
}

/** Per fqdn, the stack its ownership record (`_ecs-crd.<fqdn>` TXT) names; null without one. */
export async function owners(
  route53: Route53Api,
  zones: HostedZoneInfo[],
): Promise<Record<string, string | null>> {
  const entries = await Promise.all(
    zones.map(async (zone): Promise<[string, string | null]> => {
      const name = ownershipRecordName(zone.fqdn);
      const page = await route53.listResourceRecordSets({
        HostedZoneId: zone.zoneId,
        StartRecordName: name,
        StartRecordType: 'TXT',
        MaxItems: 1,
      });
      const record = (page.ResourceRecordSets ?? []).find(
        (set) => set.Type === 'TXT' && normalizeDnsName(set.Name ?? '') === normalizeDnsName(name),
      );
      const values = (record?.ResourceRecords ?? []).map((value) => ownerOfValue(value.Value ?? ''));
      return [zone.fqdn, values.find((owner) => owner !== null) ?? null];
    }),
  );
  return Object.fromEntries(entries);
}
