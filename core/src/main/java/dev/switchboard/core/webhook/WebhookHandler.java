package dev.switchboard.core.webhook;

/**
 * Handles one webhook request. Implementations are thread-safe: a host calls them concurrently from
 * its request threads. They may block briefly (a store write, a REST call); they must not throw for
 * bad input but answer it with a 4xx {@link WebhookResponse#error}. A host answers an exception
 * that escapes anyway with a 500 and logs it.
 */
@FunctionalInterface
public interface WebhookHandler {
  /**
   * Handles a request.
   *
   * @param request the request, its URL the public one the sender used
   * @return the response
   */
  WebhookResponse handle(WebhookRequest request);
}
