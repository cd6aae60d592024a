package dev.switchboard.core.voice;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A phone call known to a {@link VoiceBackend}: a live view of its state, and the actions that can
 * be taken on it. Thread-safe. Obtain calls from {@link VoiceBackend#placeCall}, {@link
 * VoiceBackend#call(String)} or the events a backend publishes.
 *
 * <pre>{@code
 * Call call = backend.placeCall(CallRequest.builder("+14155550100").build()).join();
 * call.mediaStream().ifPresent(stream -> stream.setListener(listener));
 * call.hangUp().join();   // idempotent; an already-ended call is not an error
 * }</pre>
 */
public interface Call {
  /**
   * Returns the call's id.
   *
   * @return the provider's id (Twilio's CallSid)
   */
  String id();

  /**
   * Returns who placed the call.
   *
   * @return the direction
   */
  CallDirection direction();

  /**
   * Returns the calling party.
   *
   * @return a number (E.164), SIP URI or client identity
   */
  String from();

  /**
   * Returns the called party.
   *
   * @return a number (E.164), SIP URI or client identity
   */
  String to();

  /**
   * Returns the latest known state; it only moves forward.
   *
   * @return the state
   */
  CallState state();

  /**
   * Returns when the backend learnt of the call.
   *
   * @return the instant
   */
  Instant createdAt();

  /**
   * Returns when the call was answered.
   *
   * @return the instant, if it was
   */
  Optional<Instant> answeredAt();

  /**
   * Returns when the call ended.
   *
   * @return the instant, if it has
   */
  Optional<Instant> endedAt();

  /**
   * Returns the custom parameters the call was placed or routed with.
   *
   * @return an unmodifiable map
   */
  Map<String, String> parameters();

  /**
   * Returns the call's current media stream.
   *
   * @return the open stream, if there is one
   */
  Optional<MediaStream> mediaStream();

  /**
   * Hangs up. Idempotent: hanging up an ended call completes normally.
   *
   * @return completes when the provider has accepted the hang-up
   */
  CompletableFuture<Void> hangUp();

  /**
   * Transfers the call (cold): the caller is connected to the target and leaves this call's media.
   *
   * @param target a phone number or SIP URI
   * @return completes when the provider has accepted the transfer
   */
  CompletableFuture<Void> transfer(TransferTarget target);

  /**
   * Sends DTMF tones on the call (e.g. to navigate a phone menu).
   *
   * @param digits {@code 0-9}, {@code *}, {@code #}, and {@code w} for a half-second pause
   * @return completes when the provider has accepted the tones
   */
  CompletableFuture<Void> sendDtmf(String digits);
}
