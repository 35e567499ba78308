/**
 * Avisi's variables and defaults, for the descriptor and the client: the client imports them,
 * not the descriptor that loads it.
 */
export const AVISI_ENV = {
  url: 'AVISI_API_URL',
  token: 'AVISI_API_TOKEN',
  ratePerMinute: 'AVISI_API_RATE_PER_MINUTE',
  burst: 'AVISI_API_BURST',
} as const;

// Avisi documents no rate limit.
export const AVISI_DEFAULTS = { apiUrl: 'https://api.avisi.cloud/api/v1', ratePerMinute: 0, burst: 5 } as const;
