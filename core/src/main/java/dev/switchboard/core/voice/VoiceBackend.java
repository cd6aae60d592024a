package dev.switchboard.core.voice;

import dev.switchboard.core.Backend;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The telephony side of Switchboard: places and receives phone calls, exposes their media, and acts
 * on them. Implemented by provider modules ({@code voice-twilio}); thread-safe.
 *
 * <pre>{@code
 * VoiceBackend voice = TwilioVoiceBackend.builder()...build();   // or ProviderCatalog
 * voice.addListener(event -> log.info("{}", event));
 * voice.start();
 * Call call = voice.placeCall(CallRequest.builder("+14155550100").build()).join();
 * ...
 * voice.stop(Duration.ofSeconds(30)).join();   // live calls get 30 s to finish
 * }</pre>
 *
 * <p>Lifecycle as for every {@link Backend}: {@link #stop(java.time.Duration)} refuses new calls,
 * lets live ones finish within the grace period, then hangs up the rest. Asynchronous operations
 * complete exceptionally with a {@code SwitchboardException} (a {@code ProviderException} for the
 * provider's errors).
 */
public interface VoiceBackend extends Backend {
  /**
   * Places an outbound call.
   *
   * @param request what to dial and how
   * @return the call, once the provider has accepted it
   */
  CompletableFuture<Call> placeCall(CallRequest request);

  /**
   * Looks up a call the backend knows, live or recently ended.
   *
   * @param callId the call's id
   * @return the call, if known
   */
  Optional<Call> call(String callId);

  /**
   * Returns the live calls.
   *
   * @return a snapshot
   */
  List<Call> calls();

  /**
   * Returns the number of live calls.
   *
   * @return the count
   */
  int activeCallCount();

  /**
   * Hangs up a call. Idempotent; an already-ended call is not an error.
   *
   * @param callId the call's id
   * @return completes when the provider has accepted the hang-up
   */
  CompletableFuture<Void> hangUp(String callId);

  /**
   * Transfers a call (cold) to a number or SIP URI.
   *
   * @param callId the call's id
   * @param target where to
   * @return completes when the provider has accepted the transfer
   */
  CompletableFuture<Void> transfer(String callId, TransferTarget target);

  /**
   * Sends DTMF tones on a call.
   *
   * @param callId the call's id
   * @param digits {@code 0-9}, {@code *}, {@code #}, {@code w}
   * @return completes when the provider has accepted the tones
   */
  CompletableFuture<Void> sendDtmf(String callId, String digits);

  /**
   * Adds a listener for call events.
   *
   * @param listener the listener
   */
  void addListener(CallListener listener);

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  void removeListener(CallListener listener);
}
