package dev.switchboard.core.webhook;

import dev.switchboard.core.WebhookVerificationException;

/**
 * Checks that a webhook really comes from the service it claims to (a signature over the URL and
 * parameters, an HMAC over the body and a timestamp). Thread-safe. Comparisons are constant-time.
 */
@FunctionalInterface
public interface WebhookVerifier {
  /**
   * Verifies a request.
   *
   * @param request the request, its URL the public one the sender signed
   * @throws WebhookVerificationException naming the check that failed (never the secret or the
   *     expected signature)
   */
  void verify(WebhookRequest request);
}
