package dev.switchboard.agent.ultravox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.ultravox.internal.Json;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.Secret;
import dev.switchboard.core.WebhookVerificationException;
import dev.switchboard.core.telemetry.LogContext;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallEvent.AgentCallChanged;
import dev.switchboard.core.voice.CallEvent.AgentCallPhase;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.webhook.WebhookHandler;
import dev.switchboard.core.webhook.WebhookRejected;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import dev.switchboard.core.webhook.WebhookVerifier;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies and handles Ultravox's webhook deliveries ({@code call.started}, {@code call.joined},
 * {@code call.ended}, {@code call.billed}), turning each accepted one into a core {@link
 * AgentCallChanged} event for the registered {@link CallListener}s. It is both a {@link
 * WebhookVerifier} (the signature and timestamp checks alone) and a {@link WebhookHandler} to mount
 * on {@code SwitchboardServer} or any server. Thread-safe.
 *
 * <pre>{@code
 * UltravoxWebhooks webhooks = UltravoxWebhooks.builder()
 *     .secret(System.getenv("ULTRAVOX_WEBHOOK_SECRET"))   // several for rotation
 *     .listener(event -> log.info("{}", event))            // or bus::publish
 *     .webhookRejectedListener(bus::publish)
 *     .build();
 * SwitchboardServer server = SwitchboardServer.builder()
 *     .webhook("/ultravox/events", webhooks)
 *     ...
 * }</pre>
 *
 * <p><b>Verification</b> ({@link #verify}): the {@code X-Ultravox-Webhook-Signature} header holds
 * one or more comma-separated lowercase-hex HMAC-SHA256 signatures; each configured secret's HMAC
 * of the raw body bytes followed by the {@code X-Ultravox-Webhook-Timestamp} header's bytes is
 * compared with each of them in constant time, and any match passes (so both sides can rotate
 * secrets). The timestamp must then be within the tolerance (default 60 s) of the clock, in the
 * past or the future. The timestamp's exact format is UNCERTAIN (Ultravox's own example parses it
 * with Python's {@code datetime.fromisoformat}): ISO-8601 with {@code Z} or an offset, with or
 * without fractional seconds, is accepted; a timestamp without a zone is taken as UTC.
 *
 * <p><b>Handling</b> ({@link #handle}): not a POST → 405; a failed check → 403 with a JSON error
 * naming the check, a {@link WebhookRejected} to the rejection listener, and nothing else; a body
 * that is not {@code {"event": "...", "call": {"callId": "...", ...}}} → 400; an unknown event →
 * 204, ignored (logged at debug); otherwise 204, and the event is published once: a redelivery of
 * the same event for the same call within the de-duplication window is answered 204 but not
 * published again. The event's {@code callId} is the call's metadata value {@value
 * #CALL_ID_METADATA_KEY} when present (the telephony call's id, put there by whoever started the
 * call), else the Ultravox call id; its {@code detail} is the {@code endReason} for {@code ENDED},
 * the {@code billedDuration} (e.g. {@code "61s"}) for {@code BILLED}; its timestamp is the call's
 * {@code created}/{@code joined}/{@code ended} time for those phases, else the delivery's
 * timestamp.
 *
 * <p><b>Listeners</b> are called on the request's thread, one event at a time per delivery, never
 * under a lock of this class; they must return quickly (an {@code EventBus} isolates slow ones). An
 * exception a listener throws is logged and does not change the answer.
 */
public final class UltravoxWebhooks implements WebhookVerifier, WebhookHandler {
  private static final Logger log = LoggerFactory.getLogger(UltravoxWebhooks.class);

  /** The header carrying the signatures. */
  public static final String SIGNATURE_HEADER = "X-Ultravox-Webhook-Signature";

  /** The header carrying the delivery's timestamp, part of what is signed. */
  public static final String TIMESTAMP_HEADER = "X-Ultravox-Webhook-Timestamp";

  /**
   * The call metadata key whose value becomes the event's {@code callId}: the telephony call's id.
   */
  public static final String CALL_ID_METADATA_KEY = "switchboard_call_id";

  /** The default timestamp tolerance, either way. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(60);

  private static final String HMAC = "HmacSHA256";
  private static final int MAX_SHOWN = 60;

  private final List<Secret> secrets;
  private final Duration tolerance;
  private final Clock clock;
  private final Duration dedupWindow;
  private final int dedupCapacity;
  private final List<CallListener> listeners = new CopyOnWriteArrayList<>();
  private final Consumer<? super WebhookRejected> rejectedListener;

  private final Object lock = new Object();
  // Guarded by lock: delivery key -> when first accepted, oldest first.
  private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

  private UltravoxWebhooks(Builder b) {
    this.secrets = List.copyOf(b.secrets);
    this.tolerance = b.tolerance;
    this.clock = b.clock;
    this.dedupWindow = b.dedupWindow;
    this.dedupCapacity = b.dedupCapacity;
    this.listeners.addAll(b.listeners);
    this.rejectedListener = b.rejectedListener;
  }

  /**
   * Starts a configuration. At least one {@link Builder#secret} is required.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds a listener for the events of accepted deliveries.
   *
   * @param listener the listener
   */
  public void addListener(CallListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  public void removeListener(CallListener listener) {
    listeners.remove(listener);
  }

  /**
   * Checks a delivery's signature and timestamp (see the class description).
   *
   * @param request the delivery, its body the raw bytes Ultravox sent
   * @throws WebhookVerificationException naming the failed check: a missing header, no matching
   *     signature, an unreadable, stale or future timestamp; never a secret or the expected
   *     signature
   */
  @Override
  public void verify(WebhookRequest request) {
    Objects.requireNonNull(request, "request");
    verifiedTimestamp(request);
  }

  /**
   * Handles a delivery (see the class description). Never throws for bad input.
   *
   * @param request the request
   * @return 204, or an error: 405, 403, 400
   */
  @Override
  public WebhookResponse handle(WebhookRequest request) {
    Objects.requireNonNull(request, "request");
    if (!request.method().equals("POST")) {
      return WebhookResponse.error(
              405, "method_not_allowed", "Ultravox webhooks are POSTs, got " + request.method())
          .withHeader("Allow", "POST");
    }
    Instant sent;
    try {
      sent = verifiedTimestamp(request);
    } catch (WebhookVerificationException e) {
      String url = stripQuery(request.url());
      log.warn(
          "refused Ultravox webhook {} from {}: {}", url, request.remoteAddress(), e.getMessage());
      try {
        rejectedListener.accept(
            new WebhookRejected(url, e.getMessage(), request.remoteAddress(), clock.instant()));
      } catch (RuntimeException listenerFailure) {
        log.warn("webhook-rejected listener threw; ignored", listenerFailure);
      }
      return WebhookResponse.error(403, "signature_invalid", e.getMessage());
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(request.bodyText());
    } catch (IOException e) {
      return WebhookResponse.error(400, "invalid_body", "the body is not JSON");
    }
    if (root == null || !root.isObject()) {
      return WebhookResponse.error(400, "invalid_body", "the body is not a JSON object");
    }
    JsonNode event = root.get("event");
    if (event == null || !event.isTextual() || event.asText().isBlank()) {
      return WebhookResponse.error(400, "invalid_body", "the body has no string \"event\"");
    }
    JsonNode call = root.get("call");
    if (call == null || !call.isObject()) {
      return WebhookResponse.error(400, "invalid_body", "the body has no \"call\" object");
    }
    JsonNode callIdNode = call.get("callId");
    if (callIdNode == null || !callIdNode.isTextual() || callIdNode.asText().isBlank()) {
      return WebhookResponse.error(400, "invalid_body", "the call has no string \"callId\"");
    }
    String eventName = event.asText();
    String agentCallId = callIdNode.asText();
    AgentCallPhase phase = phase(eventName);
    if (phase == null) {
      log.debug("ignored Ultravox webhook event '{}' for call {}", shown(eventName), agentCallId);
      return WebhookResponse.empty(204);
    }
    String callId = agentCallId;
    JsonNode linked = call.path("metadata").get(CALL_ID_METADATA_KEY);
    if (linked != null && linked.isTextual() && !linked.asText().isBlank()) {
      callId = linked.asText();
    }
    AgentCallChanged changed;
    try {
      changed =
          new AgentCallChanged(
              callId, agentCallId, phase, detail(phase, call), when(phase, call, sent));
    } catch (IllegalArgumentException e) {
      return WebhookResponse.error(400, "invalid_body", e.getMessage());
    }
    if (!firstDelivery(eventName + "|" + agentCallId)) {
      log.debug(
          "duplicate Ultravox webhook {} for call {}; answered, not published",
          eventName,
          agentCallId);
      return WebhookResponse.empty(204);
    }
    publish(changed);
    return WebhookResponse.empty(204);
  }

  @Override
  public String toString() {
    return "UltravoxWebhooks{secrets="
        + secrets.size()
        + " (hidden), tolerance="
        + tolerance
        + ", listeners="
        + listeners.size()
        + "}";
  }

  // ---------------------------------------------------------------- internals

  /** Runs every check; returns the delivery's timestamp. */
  private Instant verifiedTimestamp(WebhookRequest request) {
    String signatures = request.header(SIGNATURE_HEADER).orElse("").trim();
    if (signatures.isEmpty()) {
      throw new WebhookVerificationException(SIGNATURE_HEADER + " missing");
    }
    String timestamp = request.header(TIMESTAMP_HEADER).orElse("");
    if (timestamp.isBlank()) {
      throw new WebhookVerificationException(TIMESTAMP_HEADER + " missing");
    }
    if (!signatureMatches(request.body(), timestamp, signatures)) {
      throw new WebhookVerificationException(
          SIGNATURE_HEADER + " does not match the body and timestamp for any configured secret");
    }
    Instant sent;
    try {
      sent = Json.parseInstant(timestamp);
    } catch (IllegalArgumentException e) {
      throw new WebhookVerificationException(
          TIMESTAMP_HEADER + " is not an ISO-8601 date-time: \"" + shown(timestamp) + "\"");
    }
    Instant now = clock.instant();
    Duration age = Duration.between(sent, now);
    if (age.compareTo(tolerance) > 0) {
      throw new WebhookVerificationException(
          TIMESTAMP_HEADER
              + " is stale: "
              + age.toMillis()
              + " ms old, more than the "
              + tolerance.toMillis()
              + " ms tolerance");
    }
    if (age.negated().compareTo(tolerance) > 0) {
      throw new WebhookVerificationException(
          TIMESTAMP_HEADER
              + " is "
              + age.negated().toMillis()
              + " ms in the future, more than the "
              + tolerance.toMillis()
              + " ms tolerance");
    }
    return sent;
  }

  /** True when any secret's HMAC equals any of the comma-separated signatures (constant time). */
  private boolean signatureMatches(ByteBuffer body, String timestamp, String header) {
    List<byte[]> candidates = new ArrayList<>();
    for (String s : header.split(",")) {
      String c = s.trim();
      if (!c.isEmpty()) {
        candidates.add(c.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
      }
    }
    byte[] stamp = timestamp.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (Secret secret : secrets) {
      byte[] expected = hexHmac(secret, body.duplicate(), stamp);
      for (byte[] candidate : candidates) {
        // No early exit: every comparison runs, each in constant time.
        match |= MessageDigest.isEqual(expected, candidate);
      }
    }
    return match;
  }

  private static byte[] hexHmac(Secret secret, ByteBuffer body, byte[] timestamp) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), HMAC));
      mac.update(body);
      mac.update(timestamp);
      return HexFormat.of().formatHex(mac.doFinal()).getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // HmacSHA256 is required of every JDK, and any non-empty key is valid for it.
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /** Remembers a delivery; false if it was already accepted within the window (bounded). */
  private boolean firstDelivery(String key) {
    Instant now = clock.instant();
    synchronized (lock) {
      Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, Instant> oldest = it.next();
        if (seen.size() > dedupCapacity
            || Duration.between(oldest.getValue(), now).compareTo(dedupWindow) > 0) {
          it.remove();
        } else {
          break;
        }
      }
      if (seen.containsKey(key)) {
        return false;
      }
      seen.put(key, now);
      if (seen.size() > dedupCapacity) {
        Iterator<String> eldest = seen.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
      return true;
    }
  }

  private void publish(CallEvent event) {
    try (LogContext ignored = LogContext.call(event.callId())) {
      for (CallListener l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException e) {
          log.warn("call listener threw on {}; ignored", event.getClass().getSimpleName(), e);
        }
      }
    }
  }

  private static @Nullable AgentCallPhase phase(String event) {
    switch (event) {
      case "call.started":
        return AgentCallPhase.STARTED;
      case "call.joined":
        return AgentCallPhase.JOINED;
      case "call.ended":
        return AgentCallPhase.ENDED;
      case "call.billed":
        return AgentCallPhase.BILLED;
      default:
        return null;
    }
  }

  private static @Nullable String detail(AgentCallPhase phase, JsonNode call) {
    JsonNode value =
        switch (phase) {
          case ENDED -> call.get("endReason");
          case BILLED -> call.get("billedDuration");
          default -> null;
        };
    return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
  }

  /** The phase's own time from the call, when it has one, else when the delivery was sent. */
  private static Instant when(AgentCallPhase phase, JsonNode call, Instant sent) {
    String field =
        switch (phase) {
          case STARTED -> "created";
          case JOINED -> "joined";
          case ENDED -> "ended";
          case BILLED -> null;
        };
    JsonNode value = field == null ? null : call.get(field);
    if (value != null && value.isTextual()) {
      try {
        return Json.parseInstant(value.asText());
      } catch (IllegalArgumentException e) {
        log.debug("unreadable '{}' on an Ultravox webhook; using the delivery time", field);
      }
    }
    return sent;
  }

  private static String stripQuery(URI url) {
    String s = url.toString();
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q);
  }

  private static String shown(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < MAX_SHOWN; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > MAX_SHOWN ? b + "…" : b.toString();
  }

  /** Builds {@link UltravoxWebhooks}. Not thread-safe. */
  public static final class Builder {
    private final List<Secret> secrets = new ArrayList<>();
    private Duration tolerance = DEFAULT_TOLERANCE;
    private Clock clock = Clock.systemUTC();
    private Duration dedupWindow = Duration.ofHours(1);
    private int dedupCapacity = 10_000;
    private final List<CallListener> listeners = new ArrayList<>();
    private Consumer<? super WebhookRejected> rejectedListener = e -> {};

    private Builder() {}

    /**
     * Adds a webhook secret (the webhook's {@code secrets}, or the one Ultravox generated). Add the
     * old and the new one while rotating.
     *
     * @param secret the secret, not blank
     * @return this builder
     */
    public Builder secret(String secret) {
      Objects.requireNonNull(secret, "secret");
      if (secret.isBlank()) {
        throw new IllegalArgumentException("a webhook secret must not be blank");
      }
      secrets.add(Secret.of(secret));
      return this;
    }

    /**
     * Adds a webhook secret.
     *
     * @param secret the secret
     * @return this builder
     */
    public Builder secret(Secret secret) {
      secrets.add(Objects.requireNonNull(secret, "secret"));
      return this;
    }

    /**
     * Adds several webhook secrets.
     *
     * @param secrets the secrets, none blank
     * @return this builder
     */
    public Builder secrets(Collection<String> secrets) {
      for (String s : Objects.requireNonNull(secrets, "secrets")) {
        secret(s);
      }
      return this;
    }

    /**
     * Sets how far the delivery's timestamp may be from the clock, either way. Default 60 s.
     *
     * @param tolerance positive
     * @return this builder
     */
    public Builder tolerance(Duration tolerance) {
      this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
      return this;
    }

    /**
     * Sets how long an accepted delivery is remembered to recognise its redeliveries. Default 1 h.
     *
     * @param window positive
     * @return this builder
     */
    public Builder dedupWindow(Duration window) {
      this.dedupWindow = Objects.requireNonNull(window, "dedupWindow");
      return this;
    }

    /**
     * Sets how many accepted deliveries are remembered at most (the oldest are forgotten first).
     * Default 10,000.
     *
     * @param capacity at least 1
     * @return this builder
     */
    public Builder dedupCapacity(int capacity) {
      this.dedupCapacity = capacity;
      return this;
    }

    /**
     * Sets the clock for the timestamp check and the de-duplication window. Default {@link
     * Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Adds a listener for the events of accepted deliveries ({@link AgentCallChanged}).
     *
     * @param listener the listener, e.g. {@code bus::publish}
     * @return this builder
     */
    public Builder listener(CallListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Sets who hears of refused deliveries (forged, stale), e.g. {@code bus::publish}.
     *
     * @param listener the listener; called on the request's thread
     * @return this builder
     */
    public Builder webhookRejectedListener(Consumer<? super WebhookRejected> listener) {
      this.rejectedListener = Objects.requireNonNull(listener, "webhookRejectedListener");
      return this;
    }

    /**
     * Builds the verifier and handler.
     *
     * @return it
     * @throws ConfigurationException naming a missing secret or a setting out of range
     */
    public UltravoxWebhooks build() {
      if (secrets.isEmpty()) {
        throw new ConfigurationException(
            "at least one webhook secret is required (the webhook's secrets from Ultravox)");
      }
      if (tolerance.isNegative() || tolerance.isZero()) {
        throw new ConfigurationException("tolerance must be positive, got " + tolerance);
      }
      if (dedupWindow.isNegative() || dedupWindow.isZero()) {
        throw new ConfigurationException("dedupWindow must be positive, got " + dedupWindow);
      }
      if (dedupCapacity < 1) {
        throw new ConfigurationException("dedupCapacity must be at least 1, got " + dedupCapacity);
      }
      return new UltravoxWebhooks(this);
    }
  }
}
