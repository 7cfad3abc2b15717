/**
 * The identity platform's discovery documents, as msal-node would fetch them when not given
 * `authorityMetadata` / `cloudDiscoveryMetadata` (the adapter gives both; these exist for other clients).
 */

/** The OpenID configuration of `tenant`, as `/{tenant}/v2.0/.well-known/openid-configuration` serves it. */
export function openidConfiguration(baseUrl: string, tenant: string): Record<string, unknown> {
  const root = `${baseUrl}${tenant}`;
  return {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${root}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${baseUrl}${tenant === 'common' || tenant === 'organizations' ? '{tenantid}' : tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}oidc/userinfo`,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'oid',
    ],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'emulator.local',
    cloud_graph_host_name: 'graph.emulator.local',
    msgraph_host: '127.0.0.1',
  };
}

/** `/common/discovery/instance` (cloud discovery): one cloud, the emulator's host. */
export function instanceDiscovery(baseUrl: string): Record<string, unknown> {
  const host = new URL(baseUrl).host;
  return {
    tenant_discovery_endpoint: `${baseUrl}common/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}
