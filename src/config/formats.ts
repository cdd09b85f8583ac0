/**
 * The formats of values AWS checks only when it is too late (mid-deployment): ARNs, image
 * references, tag values. Each is what the AWS or OCI reference says, no looser.
 */

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
const ACCOUNT = '\\d{12}';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** An ACM certificate, or an IAM server certificate (which ALBs also take). */
const CERTIFICATE_ARN = new RegExp(
  `^arn:${PARTITION}:(?:acm:${REGION}:${ACCOUNT}:certificate/${UUID}|iam::${ACCOUNT}:server-certificate/[\\w+=,.@/-]{1,128})$`,
  'i',
);
export const isCertificateArn = (value: string): boolean => CERTIFICATE_ARN.test(value);
export const CERTIFICATE_ARN_MESSAGE =
  'must be an ACM certificate ARN, arn:aws:acm:<region>:<12-digit account>:certificate/<id> (or an IAM server certificate ARN)';

const CLUSTER_NAME = '[A-Za-z0-9_-]{1,255}';
const CLUSTER = new RegExp(
  `^(?:${CLUSTER_NAME}|arn:${PARTITION}:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER_NAME})$`,
);
export const isCluster = (value: string): boolean => CLUSTER.test(value);
export const CLUSTER_MESSAGE =
  'must be a cluster name (letters, digits, - and _, at most 255) or a cluster ARN, arn:aws:ecs:<region>:<12-digit account>:cluster/<name>';

// The OCI / Docker reference grammar (distribution/reference): [host[:port]/]path[:tag][@digest].
const DOMAIN_PART = '(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])';
const DOMAIN = `${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::\\d+)?`;
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
export const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE = new RegExp(
  `^(?<name>(?:${DOMAIN}/)?${PATH_PART}(?:/${PATH_PART})*)(?::[\\w][\\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`,
);
/** The name (host and path) of a reference is at most 255 characters. */
const IMAGE_NAME_MAX = 255;
export function isImageReference(value: string): boolean {
  const name = IMAGE.exec(value)?.groups?.name;
  return name !== undefined && name.length <= IMAGE_NAME_MAX;
}
export const IMAGE_MESSAGE =
  'must be an image reference, [host[:port]/]name[:tag][@sha256:<64 hex digits>], e.g. registry.example.com/team/api:1.2.3: lowercase name parts, a tag of at most 128 letters, digits, _ . and - (not starting with . or -)';

/** What AWS takes as a tag value: at most 256 letters, digits, spaces and `_ . : / = + - @`. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
export const isTagValue = (value: string): boolean => TAG_VALUE.test(value);

/** A `valueFrom` ECS reads at start: an SSM parameter or a Secrets Manager secret (with an optional JSON key, stage, version). */
export const isSecretArn = (value: string): boolean => /^arn:[^:]+:(ssm|secretsmanager):/.test(value);
export const SECRET_ARN_MESSAGE =
  'must be the ARN of an SSM parameter or a Secrets Manager secret (arn:aws:ssm:… or arn:aws:secretsmanager:…), never the secret itself';

/** An SNS topic: arn:aws:sns:<region>:<account>:<name>, a name of at most 256 letters, digits, - and _ (.fifo for FIFO). */
const SNS_TOPIC_ARN = new RegExp(
  `^arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:[A-Za-z0-9_-]{1,256}(?:\\.fifo)?$`,
);
export const isSnsTopicArn = (value: string): boolean => SNS_TOPIC_ARN.test(value);
export const SNS_TOPIC_ARN_MESSAGE =
  'must be an SNS topic ARN, arn:aws:sns:<region>:<12-digit account>:<topic name> (templates such as {{region}} and {{account_id}} allowed)';
