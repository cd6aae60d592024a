package dev.switchboard.testing.twilio;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link FakeTwilioApi} knows about one call at one moment: who called whom, the status the
 * REST resource shows, every parameter of the request that created it, the TwiML and URLs it was
 * given (at creation, by redirects, by an inbound webhook's answer), its status-callback and
 * answering-machine-detection settings. An immutable snapshot: ask the fake again to see later
 * changes. Thread-safe.
 *
 * <pre>{@code
 * FakeCall call = api.call(sid);
 * assertThat(call.status()).isEqualTo("queued");
 * assertThat(call.statusCallbackEvents()).containsExactly("initiated", "ringing", "answered", "completed");
 * assertThat(call.lastTwiml()).hasValueSatisfying(xml -> assertThat(xml).contains("<Stream"));
 * }</pre>
 */
public final class FakeCall {
  private final String sid;
  private final String accountSid;
  private final String direction;
  private final String to;
  private final String from;
  private final String status;
  private final Map<String, List<String>> params;
  private final List<Map<String, List<String>>> updates;
  private final List<String> twimlHistory;
  private final List<String> urlHistory;
  private final @Nullable String statusCallback;
  private final List<String> statusCallbackEvents;
  private final @Nullable String machineDetection;
  private final boolean asyncAmd;
  private final @Nullable String asyncAmdStatusCallback;
  private final @Nullable String answeredBy;
  private final Instant dateCreated;
  private final Instant dateUpdated;
  private final @Nullable Instant startTime;
  private final @Nullable Instant endTime;
  private final @Nullable Long durationSeconds;

  /** Copies the state; the caller holds the fake's lock. */
  FakeCall(FakeCallState state) {
    this.sid = state.sid;
    this.accountSid = state.accountSid;
    this.direction = state.direction;
    this.to = state.to;
    this.from = state.from;
    this.status = state.status;
    this.params = state.params;
    this.updates = state.updates.stream().map(FakeTwilioApi.RecordedRequest::immutable).toList();
    this.twimlHistory = List.copyOf(state.twiml);
    this.urlHistory = List.copyOf(state.urls);
    this.statusCallback = state.statusCallback;
    this.statusCallbackEvents = state.statusCallbackEvents;
    this.machineDetection = state.machineDetection;
    this.asyncAmd = state.asyncAmd;
    this.asyncAmdStatusCallback = state.asyncAmdStatusCallback;
    this.answeredBy = state.answeredBy;
    this.dateCreated = state.dateCreated;
    this.dateUpdated = state.dateUpdated;
    this.startTime = state.startTime;
    this.endTime = state.endTime;
    this.durationSeconds = state.durationSeconds();
  }

  /**
   * Returns the call SID, {@code CA} and 32 hex digits.
   *
   * @return the SID
   */
  public String sid() {
    return sid;
  }

  /**
   * Returns the account the call belongs to.
   *
   * @return the account SID
   */
  public String accountSid() {
    return accountSid;
  }

  /**
   * Returns {@code outbound-api} for a call created over REST, {@code inbound} for one placed with
   * {@link FakeTwilioApi#placeInboundCall}.
   *
   * @return the direction
   */
  public String direction() {
    return direction;
  }

  /**
   * Returns the called party as given ({@code To}).
   *
   * @return the number, SIP address or client name
   */
  public String to() {
    return to;
  }

  /**
   * Returns the caller as given ({@code From}).
   *
   * @return the number
   */
  public String from() {
    return from;
  }

  /**
   * Returns the status the REST resource shows: {@code queued}, {@code ringing}, {@code
   * in-progress}, {@code completed}, {@code busy}, {@code failed}, {@code no-answer} or {@code
   * canceled}.
   *
   * @return the status
   */
  public String status() {
    return status;
  }

  /**
   * Returns whether the call has ended (any status from {@code completed} on).
   *
   * @return true once ended
   */
  public boolean ended() {
    return FakeCallState.TERMINAL.contains(status);
  }

  /**
   * Returns every form parameter of the request that created the call (for an inbound call: the
   * parameters of the voice webhook), repeated names with all their values in order.
   *
   * @return an unmodifiable map in arrival order
   */
  public Map<String, List<String>> params() {
    return params;
  }

  /**
   * Returns the first value of a creation parameter, e.g. {@code param("Timeout")}.
   *
   * @param name the parameter name, case-sensitive as Twilio's
   * @return the value, or empty if it was not sent
   */
  public Optional<String> param(String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * Returns the form parameters of each accepted update ({@code POST .../Calls/{sid}.json}), in
   * order.
   *
   * @return an unmodifiable list
   */
  public List<Map<String, List<String>>> updates() {
    return updates;
  }

  /**
   * Returns every TwiML document the call was given, in order: the {@code Twiml} of the create
   * request, the {@code Twiml} of each redirect, and for an inbound call the body the voice webhook
   * answered with.
   *
   * @return an unmodifiable list, empty if the call only ever had URLs
   */
  public List<String> twimlHistory() {
    return twimlHistory;
  }

  /**
   * Returns the newest entry of {@link #twimlHistory()}.
   *
   * @return the TwiML, or empty if there is none
   */
  public Optional<String> lastTwiml() {
    return twimlHistory.isEmpty()
        ? Optional.empty()
        : Optional.of(twimlHistory.get(twimlHistory.size() - 1));
  }

  /**
   * Returns every TwiML URL the call was given, in order: the {@code Url} of the create request,
   * the {@code Url} of each redirect, and for an inbound call the voice URL it was placed to.
   *
   * @return an unmodifiable list
   */
  public List<String> urlHistory() {
    return urlHistory;
  }

  /**
   * Returns the status-callback URL: the {@code StatusCallback} of the create request or of the
   * latest update that set one.
   *
   * @return the URL as sent, or empty if none was given
   */
  public Optional<String> statusCallback() {
    return Optional.ofNullable(statusCallback);
  }

  /**
   * Returns the {@code StatusCallbackEvent} values of the create request, as sent (Twilio's default
   * when none is sent is {@code completed} only).
   *
   * @return an unmodifiable list
   */
  public List<String> statusCallbackEvents() {
    return statusCallbackEvents;
  }

  /**
   * Returns the {@code MachineDetection} setting ({@code Enable} or {@code DetectMessageEnd}).
   *
   * @return the setting, or empty if detection was not asked for
   */
  public Optional<String> machineDetection() {
    return Optional.ofNullable(machineDetection);
  }

  /**
   * Returns whether {@code AsyncAmd=true} was sent.
   *
   * @return true for asynchronous answering-machine detection
   */
  public boolean asyncAmd() {
    return asyncAmd;
  }

  /**
   * Returns the {@code AsyncAmdStatusCallback} URL.
   *
   * @return the URL as sent, or empty if none was given
   */
  public Optional<String> asyncAmdStatusCallback() {
    return Optional.ofNullable(asyncAmdStatusCallback);
  }

  /**
   * Returns the detection result sent with {@link FakeTwilioApi#sendAmdResult}.
   *
   * @return e.g. {@code human} or {@code machine_start}, or empty before a result
   */
  public Optional<String> answeredBy() {
    return Optional.ofNullable(answeredBy);
  }

  /**
   * Returns when the call was created, by the fake's clock.
   *
   * @return the time
   */
  public Instant dateCreated() {
    return dateCreated;
  }

  /**
   * Returns when the call last changed, by the fake's clock.
   *
   * @return the time
   */
  public Instant dateUpdated() {
    return dateUpdated;
  }

  /**
   * Returns when the call was answered (first moved to {@code in-progress}).
   *
   * @return the time, or empty if it never was
   */
  public Optional<Instant> startTime() {
    return Optional.ofNullable(startTime);
  }

  /**
   * Returns when the call ended.
   *
   * @return the time, or empty while it lasts
   */
  public Optional<Instant> endTime() {
    return Optional.ofNullable(endTime);
  }

  /**
   * Returns the call's length in seconds from answer to end (0 if never answered), as Twilio
   * reports it in {@code duration} and {@code CallDuration}.
   *
   * @return the seconds, or empty while the call lasts
   */
  public OptionalLong durationSeconds() {
    return durationSeconds == null ? OptionalLong.empty() : OptionalLong.of(durationSeconds);
  }

  @Override
  public String toString() {
    return "FakeCall[" + sid + " " + direction + " " + from + " -> " + to + " " + status + "]";
  }
}
