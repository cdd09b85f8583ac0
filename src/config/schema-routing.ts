/** The schemas of `target_groups[]` and `listeners[]`: how the ALBs reach the service. */
import { z } from 'zod';
import { CERTIFICATE_ARN_MESSAGE, isCertificateArn } from './formats.js';
import * as listenerRules from './listener-rules.js';
import { whenShaped } from './rule-context.js';
import { formatted, hostName, int, oneOrMany, portNumber, stringish, text } from './schema-blocks.js';

// ------------------------------------------------------------------ target_groups[], listeners[]

const containerRef = z
  .strictObject({
    name: text().meta({ description: 'A container of service.containers.' }),
    port: portNumber().meta({ description: 'One of its port_mappings’ container_port.' }),
  })
  .meta({ description: 'A container port. Default: the first container’s first port mapping.' });

const MATCHER_MESSAGE = 'must be HTTP codes such as 200, 200-299 or 200,302';

export const targetGroupSchema = z
  .strictObject({
    container: containerRef.optional(),
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    deregistration_delay: int(0, 3600).default(30).meta({ description: 'Seconds to drain a target.' }),
    health_check: z
      .strictObject({
        path: formatted((value) => value.startsWith('/'), 'must start with /').default('/'),
        matcher: stringish(MATCHER_MESSAGE)
          .pipe(z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, MATCHER_MESSAGE))
          .default('200'),
        interval: int(5, 300).default(15),
        timeout: int(2, 120).default(5),
        healthy_threshold: int(2, 10).default(3),
        unhealthy_threshold: int(2, 10).default(3),
      })
      .prefault({})
      .superRefine(listenerRules.timeoutBelowInterval, whenShaped),
  })
  .meta({ description: 'One target group per exposed container port.' });

export const listenerSchema = z
  .strictObject({
    port: portNumber().meta({ description: 'The ALB port; its listener is reused when the ALB has one.' }),
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    certificate_arns: z
      .array(formatted(isCertificateArn, CERTIFICATE_ARN_MESSAGE))
      .default([])
      .meta({ description: 'Certificates of an HTTPS listener the stack creates.' }),
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
  })
  .superRefine(listenerRules.certificatesMatchProtocol, whenShaped)
  .meta({ description: 'Where the ALBs receive the traffic. Omitted: port 80 HTTP.' });
