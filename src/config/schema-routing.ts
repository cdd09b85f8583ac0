/** The schemas of `target_groups[]` and `listeners[]`: how the ALBs reach the service. */
import { z } from 'zod';
import { CERTIFICATE_ARN_MESSAGE, isCertificateArn } from './formats.js';
import * as listenerRules from './listener-rules.js';
import { whenShaped } from './rule-context.js';
import { formatted, hostName, int, oneOrMany, portNumber, stringish, text } from './schema-blocks.js';
import { listenerRuleSchema } from './schema-listener-rules.js';
import { targetGroupAttributesSchema } from './target-group-attributes.js';

// ------------------------------------------------------------------ target_groups[], listeners[]

const containerRef = z
  .strictObject({
    name: text()
      .optional()
      .meta({ description: 'A container of service.containers. Default: the one container mapping `port`.' }),
    port: portNumber().meta({ description: 'One of its port_mappings’ container_port.' }),
  })
  .meta({ description: 'A container port. Default: the first container’s first port mapping.' });

/** The original tool's spelling of a health check setting. */
const original = (name: string, min: number, max: number) =>
  int(min, max)
    .optional()
    .meta({ description: `The original tool’s spelling of ${name}.` });

const MATCHER_MESSAGE = 'must be HTTP codes such as 200, 200-299 or 200,302';

export const targetGroupSchema = z
  .strictObject({
    container: containerRef.optional(),
    port: portNumber()
      .optional()
      .meta({ description: 'The target group’s own port. Default: the container port.' }),
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    deregistration_delay: int(0, 3600)
      .optional()
      .meta({ description: 'Seconds to drain a target. Default: 30.' }),
    target_group_attributes: targetGroupAttributesSchema.optional(),
    health_check: z
      .strictObject({
        protocol: z
          .enum(['HTTP', 'HTTPS'])
          .optional()
          .meta({ description: 'Default: the target group’s protocol.' }),
        path: formatted((value) => value.startsWith('/'), 'must start with /').default('/'),
        matcher: stringish(MATCHER_MESSAGE)
          .pipe(z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, MATCHER_MESSAGE))
          .default('200'),
        interval: int(5, 300).optional().meta({ description: 'Seconds between checks. Default: 15.' }),
        interval_seconds: original('interval', 5, 300),
        timeout: int(2, 120).optional().meta({ description: 'Seconds to wait for an answer. Default: 5.' }),
        timeout_seconds: original('timeout', 2, 120),
        healthy_threshold: int(2, 10).optional().meta({ description: 'Default: 3.' }),
        healthy_threshold_count: original('healthy_threshold', 2, 10),
        unhealthy_threshold: int(2, 10).optional().meta({ description: 'Default: 3.' }),
        unhealthy_threshold_count: original('unhealthy_threshold', 2, 10),
      })
      .prefault({})
      .superRefine(listenerRules.healthCheckAliases, whenShaped)
      .superRefine(listenerRules.timeoutBelowInterval, whenShaped),
  })
  .superRefine(listenerRules.deregistrationDelayOnce, whenShaped)
  .meta({ description: 'One target group per exposed container port.' });

export const listenerSchema = z
  .strictObject({
    port: portNumber().meta({ description: 'The ALB port; its listener is reused when the ALB has one.' }),
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    certificate_arns: z
      .array(formatted(isCertificateArn, CERTIFICATE_ARN_MESSAGE))
      .optional()
      .meta({ description: 'Certificates of an HTTPS listener the stack creates.' }),
    certificates: z
      .array(
        formatted(
          isCertificateArn,
          `${CERTIFICATE_ARN_MESSAGE} (the original tool looked certificates up by domain name; ecs-crd takes the ARN that \`aws acm list-certificates\` shows)`,
        ),
      )
      .optional()
      .meta({ description: 'The original tool’s spelling of certificate_arns.' }),
    target_group: z
      .strictObject({ container: containerRef })
      .optional()
      .meta({ description: 'The target group to forward to. Default: the first target group.' }),
    rule: z
      .strictObject({
        priority: int(1, 50000)
          .optional()
          .meta({ description: 'Rule priority. Default: the lowest free one on that listener.' }),
        conditions: z
          .strictObject({
            host_header: oneOrMany(hostName(), 'host name')
              .optional()
              .meta({ description: 'Default: the service fqdn(s).' }),
            path_pattern: oneOrMany(text(), 'path pattern').optional(),
          })
          .prefault({}),
      })
      .prefault({}),
    rules: z
      .array(listenerRuleSchema)
      .optional()
      .meta({ description: 'Further rules on this listener (redirects, fixed responses, authentication…).' }),
  })
  .superRefine(listenerRules.certificatesOnce, whenShaped)
  .superRefine(listenerRules.certificatesMatchProtocol, whenShaped)
  .superRefine(listenerRules.rulesFollowElbv2, whenShaped)
  .meta({ description: 'Where the ALBs receive the traffic. Omitted: port 80 HTTP.' });
