package dev.switchboard.voice.twilio;

/**
 * Decides what happens to each inbound call: which parameters (agent, language, customer id) its
 * media stream carries, or whether to reject it. Called on a webhook thread while Twilio waits for
 * the answer, so it must return quickly (Twilio gives the webhook about 15 seconds); it must be
 * thread-safe. An exception it throws rejects the call and is logged.
 *
 * <pre>{@code
 * InboundCallRouter router = call -> InboundDecision.accept(Map.of("agent", "support"));
 * }</pre>
 */
@FunctionalInterface
public interface InboundCallRouter {
  /** Accepts every call onto the backend's media endpoint, with no parameters. */
  InboundCallRouter ACCEPT_ALL = call -> InboundDecision.accept(java.util.Map.of());

  /**
   * Decides for one call.
   *
   * @param call the call
   * @return the decision
   */
  InboundDecision route(InboundCall call);
}
