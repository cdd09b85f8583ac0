/** The resolved shape of a listener's further rules (`listeners[].rules`): ELBv2's conditions and actions. */

/** A rule condition as ELBv2 names it. */
export interface RuleCondition {
  field:
    | 'host-header'
    | 'path-pattern'
    | 'http-header'
    | 'http-request-method'
    | 'query-string'
    | 'source-ip';
  values: string[];
  /** `http-header` only: the header's name. */
  http_header_name?: string;
}

/** A rule action as ELBv2 names it; `forward` without a target group forwards to the listener's. */
export type RuleAction =
  | { type: 'forward'; order?: number }
  | {
      type: 'redirect';
      order?: number;
      status_code: 'HTTP_301' | 'HTTP_302';
      protocol?: string;
      host?: string;
      port?: string;
      path?: string;
      query?: string;
    }
  | {
      type: 'fixed-response';
      order?: number;
      status_code: string;
      content_type?: string;
      message_body?: string;
    }
  | {
      type: 'authenticate-oidc';
      order?: number;
      issuer: string;
      authorization_endpoint: string;
      token_endpoint: string;
      user_info_endpoint: string;
      client_id: string;
      /** The ARN of an SSM parameter or Secrets Manager secret holding it, read at deploy time; never the value. */
      client_secret: string;
      scope?: string;
      session_cookie_name?: string;
      session_timeout?: number;
      on_unauthenticated_request?: 'deny' | 'allow' | 'authenticate';
    }
  | {
      type: 'authenticate-cognito';
      order?: number;
      user_pool_arn: string;
      user_pool_client_id: string;
      user_pool_domain: string;
      scope?: string;
      session_cookie_name?: string;
      session_timeout?: number;
      on_unauthenticated_request?: 'deny' | 'allow' | 'authenticate';
    };

export interface ListenerRuleConfig {
  /** Absent: the lowest free priority on that listener, found by discovery. */
  priority?: number;
  conditions: RuleCondition[];
  /** In order; the last one is `forward`, `redirect` or `fixed-response`. */
  actions: RuleAction[];
}
