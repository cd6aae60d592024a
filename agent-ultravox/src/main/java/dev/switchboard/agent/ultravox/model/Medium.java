package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.switchboard.agent.ultravox.internal.JsonValues;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a call's audio travels: Ultravox's {@code medium}, an object with exactly one key. Immutable
 * and thread-safe.
 *
 * <pre>{@code
 * Medium.twilio();                              // {"twilio": {}}: Twilio streams to the joinUrl
 * Medium.serverWebSocket(8000, 8000, 30_000);   // PCM16 over a WebSocket to us
 * Medium.webRtc();                              // Ultravox's default
 * Medium.of("sip", Map.of("outgoing", Map.of("to", "sip:alice@example.com")));
 * }</pre>
 *
 * <p>The settings are kept as JSON-like values (maps, lists, strings, numbers, booleans), so fields
 * this library does not type ({@code dataMessages}, {@code mediaIdleTimeout}, {@code
 * twilio.outgoing}, {@code dtmfHandling}) round-trip unchanged.
 */
public final class Medium {
  /** The key of the Twilio medium. */
  public static final String TWILIO = "twilio";

  /** The key of the server WebSocket medium. */
  public static final String SERVER_WEB_SOCKET = "serverWebSocket";

  /** The key of the WebRTC medium (Ultravox's default). */
  public static final String WEB_RTC = "webRtc";

  private static final int DEFAULT_CLIENT_BUFFER_MS = 60;

  private final String kind;
  private final Map<String, Object> settings;

  private Medium(String kind, Map<String, Object> settings) {
    this.kind = kind;
    this.settings = settings;
  }

  /**
   * Returns the Twilio medium: Ultravox speaks Twilio's Media Streams protocol on the call's {@code
   * joinUrl}, for TwiML {@code <Connect><Stream url="{joinUrl}"/>}.
   *
   * @return {@code {"twilio": {}}}
   */
  public static Medium twilio() {
    return new Medium(TWILIO, Map.of());
  }

  /**
   * Returns the Twilio medium with settings, e.g. {@code outgoing} or {@code dtmfHandling}.
   *
   * @param settings the object under {@code twilio}
   * @return the medium
   */
  public static Medium twilio(Map<String, ?> settings) {
    return of(TWILIO, settings);
  }

  /**
   * Returns the server WebSocket medium: raw PCM16 little-endian mono audio over a WebSocket that
   * the caller opens to the {@code joinUrl}.
   *
   * @param inputSampleRate the rate of the audio sent to Ultravox, in Hz
   * @param outputSampleRate the rate of the audio Ultravox sends, in Hz
   * @param clientBufferSizeMs how much audio the client buffers; large (e.g. 30000) when it honours
   *     {@code playback_clear_buffer}, as Ultravox recommends
   * @return the medium
   * @throws IllegalArgumentException naming a rate or buffer size that is not positive
   */
  public static Medium serverWebSocket(
      int inputSampleRate, int outputSampleRate, int clientBufferSizeMs) {
    requirePositive(inputSampleRate, "inputSampleRate");
    requirePositive(outputSampleRate, "outputSampleRate");
    requirePositive(clientBufferSizeMs, "clientBufferSizeMs");
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("inputSampleRate", inputSampleRate);
    s.put("outputSampleRate", outputSampleRate);
    s.put("clientBufferSizeMs", clientBufferSizeMs);
    return of(SERVER_WEB_SOCKET, s);
  }

  /**
   * Returns the WebRTC medium, Ultravox's default.
   *
   * @return {@code {"webRtc": {}}}
   */
  public static Medium webRtc() {
    return new Medium(WEB_RTC, Map.of());
  }

  /**
   * Returns any medium by its key: {@code telnyx}, {@code plivo}, {@code exotel}, {@code sip}, or
   * one of the above with settings of its own.
   *
   * @param kind the medium's key
   * @param settings the object under it (copied deeply)
   * @return the medium
   * @throws IllegalArgumentException if the kind is blank
   */
  public static Medium of(String kind, Map<String, ?> settings) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(settings, "settings");
    if (kind.isBlank()) {
      throw new IllegalArgumentException("medium kind must not be blank");
    }
    return new Medium(kind, JsonValues.freezeMap(settings));
  }

  /**
   * Reads the JSON shape {@code {"<kind>": {...}}}.
   *
   * @param json the object
   * @return the medium
   * @throws IllegalArgumentException if it has not exactly one key
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Medium fromJson(Map<String, Object> json) {
    String key = JsonValues.singleKey(json, "medium");
    @SuppressWarnings("unchecked")
    Map<String, ?> value = (Map<String, ?>) json.get(key);
    return of(key, value == null ? Map.of() : value);
  }

  /**
   * Returns the JSON shape {@code {"<kind>": {...}}}.
   *
   * @return an unmodifiable one-entry map
   */
  @JsonValue
  public Map<String, Object> toJson() {
    return Map.of(kind, settings);
  }

  /**
   * Returns the medium's key.
   *
   * @return e.g. {@link #TWILIO} or {@link #SERVER_WEB_SOCKET}
   */
  public String kind() {
    return kind;
  }

  /**
   * Returns the settings under the key.
   *
   * @return an unmodifiable deep map, empty for {@code {}}
   */
  public Map<String, Object> settings() {
    return settings;
  }

  /**
   * Tells whether this is the Twilio medium.
   *
   * @return true for {@code twilio}
   */
  public boolean isTwilio() {
    return TWILIO.equals(kind);
  }

  /**
   * Returns the typed view of a server WebSocket medium.
   *
   * @return the rates and buffer size, if this is the {@code serverWebSocket} medium and it names
   *     an input sample rate
   */
  public Optional<ServerWebSocket> serverWebSocket() {
    if (!SERVER_WEB_SOCKET.equals(kind) || !(settings.get("inputSampleRate") instanceof Number)) {
      return Optional.empty();
    }
    int in = ((Number) settings.get("inputSampleRate")).intValue();
    int out =
        settings.get("outputSampleRate") instanceof Number n ? n.intValue() : in; // API default
    int buffer =
        settings.get("clientBufferSizeMs") instanceof Number n
            ? n.intValue()
            : DEFAULT_CLIENT_BUFFER_MS; // API default
    return Optional.of(new ServerWebSocket(in, out, buffer));
  }

  /**
   * The typed settings of the server WebSocket medium.
   *
   * @param inputSampleRate the rate of the audio sent to Ultravox, in Hz
   * @param outputSampleRate the rate of the audio Ultravox sends, in Hz (the input rate if unset)
   * @param clientBufferSizeMs the client's buffer (60 ms if unset)
   */
  public record ServerWebSocket(
      int inputSampleRate, int outputSampleRate, int clientBufferSizeMs) {}

  @Override
  public boolean equals(Object o) {
    return o instanceof Medium other && kind.equals(other.kind) && settings.equals(other.settings);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + settings.hashCode();
  }

  /**
   * Shows the kind and the names of its settings, not their values (a SIP medium has a password).
   */
  @Override
  public String toString() {
    return "Medium{" + kind + "=" + settings.keySet() + "}";
  }

  private static void requirePositive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
