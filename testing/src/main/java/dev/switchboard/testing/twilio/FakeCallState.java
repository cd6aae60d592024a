package dev.switchboard.testing.twilio;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The mutable state of one call in a {@link FakeTwilioApi}. Not thread-safe on its own: every
 * access holds the fake's lock; {@link #snapshot()} hands out the immutable view.
 */
final class FakeCallState {
  /** Statuses after which a call cannot be changed any more. */
  static final Set<String> TERMINAL =
      Set.of("completed", "busy", "failed", "no-answer", "canceled");

  /**
   * The statuses a call resource can have (no {@code initiated}: that exists in callbacks only).
   */
  static final Set<String> RESOURCE_STATUSES =
      Set.of(
          "queued",
          "ringing",
          "in-progress",
          "completed",
          "busy",
          "failed",
          "no-answer",
          "canceled");

  final String sid;
  final String accountSid;
  final String direction;
  final String to;
  final String from;
  final Instant dateCreated;
  final Map<String, List<String>> params;
  final List<String> statusCallbackEvents;
  final @Nullable String machineDetection;
  final boolean asyncAmd;
  final @Nullable String asyncAmdStatusCallback;

  String status;
  Instant dateUpdated;
  @Nullable Instant startTime;
  @Nullable Instant endTime;
  @Nullable String statusCallback;
  @Nullable String answeredBy;
  int nextSequenceNumber;
  final List<String> twiml = new ArrayList<>();
  final List<String> urls = new ArrayList<>();
  final List<Map<String, List<String>>> updates = new ArrayList<>();

  FakeCallState(
      String sid,
      String accountSid,
      String direction,
      String status,
      Map<String, List<String>> params,
      Instant now) {
    this.sid = sid;
    this.accountSid = accountSid;
    this.direction = direction;
    this.status = status;
    this.params = FakeTwilioApi.RecordedRequest.immutable(params);
    String toValue = first(params, "To", null);
    String fromValue = first(params, "From", null);
    this.to = toValue == null ? "" : toValue;
    this.from = fromValue == null ? "" : fromValue;
    this.dateCreated = now;
    this.dateUpdated = now;
    this.statusCallback = first(params, "StatusCallback", null);
    this.statusCallbackEvents = this.params.getOrDefault("StatusCallbackEvent", List.of());
    this.machineDetection = first(params, "MachineDetection", null);
    this.asyncAmd = "true".equalsIgnoreCase(first(params, "AsyncAmd", null));
    this.asyncAmdStatusCallback = first(params, "AsyncAmdStatusCallback", null);
  }

  boolean ended() {
    return TERMINAL.contains(status);
  }

  /** Moves the call to a resource status, keeping start and end times consistent. */
  void moveTo(String newStatus, Instant now) {
    status = newStatus;
    dateUpdated = now;
    if (newStatus.equals("in-progress") && startTime == null) {
      startTime = now;
    }
    if (TERMINAL.contains(newStatus)) {
      if (endTime == null) {
        endTime = now;
      }
    } else {
      endTime = null;
    }
  }

  /** Seconds from answer to end; 0 for a call never answered; null while it lasts. */
  @Nullable Long durationSeconds() {
    if (endTime == null) {
      return null;
    }
    return startTime == null ? 0L : Math.max(0L, Duration.between(startTime, endTime).toSeconds());
  }

  FakeCall snapshot() {
    return new FakeCall(this);
  }

  private static @Nullable String first(
      Map<String, List<String>> params, String name, @Nullable String fallback) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }
}
