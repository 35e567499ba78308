/**
 * "No request sent before its Retry-After", checked on the simulator's call log
 * (`GET /_sim/calls`).
 *
 * What Retry-After means here: both platforms rate-limit per token, so a 429 tells the
 * client (the token), not only the refused request, to wait (RFC 9110: how long the
 * user agent ought to wait before a follow-up request). A call from the same client
 * that arrives while that wait runs is a violation.
 *
 * One allowance: requests the client had already sent when the 429 reached it cannot
 * be called back. They arrive just after the 429 was answered, so calls arriving within
 * `inFlightMs` of it are not counted; everything later in the window is.
 */
import type { LoggedCall } from '../../src/simulator/call-log.js';

export interface RetryAfterViolation {
  /** The 429 (or 503) that asked to wait. */
  readonly refusal: LoggedCall;
  /** A call of the same client that arrived before the wait was over. */
  readonly early: LoggedCall;
  /** How long before the end of the wait it arrived, ms. */
  readonly earlyByMs: number;
}

export function retryAfterViolations(calls: readonly LoggedCall[], inFlightMs: number): RetryAfterViolation[] {
  const violations: RetryAfterViolation[] = [];
  const byClient = new Map<string, LoggedCall[]>();
  for (const call of calls) byClient.set(call.client, [...(byClient.get(call.client) ?? []), call]);
  for (const clientCalls of byClient.values()) {
    for (const refusal of clientCalls) {
      if (refusal.retryAfterSeconds === undefined || refusal.answeredAt === undefined) continue;
      const from = refusal.answeredAt + inFlightMs;
      const until = refusal.answeredAt + refusal.retryAfterSeconds * 1000;
      for (const call of clientCalls) {
        if (call !== refusal && call.arrivedAt >= from && call.arrivedAt < until)
          violations.push({ refusal, early: call, earlyByMs: until - call.arrivedAt });
      }
    }
  }
  return violations;
}
