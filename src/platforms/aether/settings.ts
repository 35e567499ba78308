/**
 * Aether's variables and defaults, for the descriptor and the client: the client imports them,
 * not the descriptor that loads it.
 */
export const AETHER_ENV = {
  url: 'AETHER_API_URL',
  token: 'AETHER_API_TOKEN',
  ratePerMinute: 'AETHER_API_RATE_PER_MINUTE',
  burst: 'AETHER_API_BURST',
} as const;

// 100 requests per minute per token (platform-apis.md).
export const AETHER_DEFAULTS = {
  apiUrl: 'https://api.aetherplatform.cloud/api/v1',
  ratePerMinute: 100,
  burst: 5,
} as const;

/** Clusters on one list page at most (`limit`): status reads by the page take the most. */
export const AETHER_MAX_PAGE_LIMIT = 100;
