package dev.switchboard.core.voice;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What to dial and how, for {@link VoiceBackend#placeCall}. Immutable; build with {@link
 * #builder(String)}.
 *
 * <pre>{@code
 * CallRequest request = CallRequest.builder("+14155550100")
 *     .parameter("agent", "support")           // delivered to the media stream's start
 *     .timeout(Duration.ofSeconds(30))         // ring for at most 30 s
 *     .answeringMachineDetection(true)
 *     .build();
 * }</pre>
 *
 * @param to the number to call (E.164) or a SIP URI
 * @param from the caller id to show, or null for the backend's default
 * @param parameters custom parameters carried to the call's media stream
 * @param streamUrl where the call's media should stream, or null for the backend's own media
 *     endpoint (a {@code TELEPHONY_DIRECT} agent's join URL goes here)
 * @param timeout how long to ring before giving up, or null for the provider's default
 * @param timeLimit the longest the call may last, or null for the provider's default
 * @param answeringMachineDetection whether to detect answering machines (result as an event)
 * @param record whether to record the call
 */
public record CallRequest(
    String to,
    @Nullable String from,
    Map<String, String> parameters,
    @Nullable URI streamUrl,
    @Nullable Duration timeout,
    @Nullable Duration timeLimit,
    boolean answeringMachineDetection,
    boolean record) {

  /** Validates the components and copies the parameters. */
  public CallRequest {
    Objects.requireNonNull(to, "to");
    if (to.isBlank()) {
      throw new IllegalArgumentException("to must not be blank");
    }
    parameters = Map.copyOf(parameters);
    requirePositive(timeout, "timeout");
    requirePositive(timeLimit, "timeLimit");
  }

  private static void requirePositive(@Nullable Duration d, String name) {
    if (d != null && (d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  /**
   * Starts a request.
   *
   * @param to the number to call (E.164) or a SIP URI
   * @return a builder
   */
  public static Builder builder(String to) {
    return new Builder(to);
  }

  /**
   * Returns the caller id, if one was set.
   *
   * @return the caller id
   */
  public Optional<String> fromNumber() {
    return Optional.ofNullable(from);
  }

  /** Builds a {@link CallRequest}. Not thread-safe. */
  public static final class Builder {
    private final String to;
    private @Nullable String from;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private @Nullable URI streamUrl;
    private @Nullable Duration timeout;
    private @Nullable Duration timeLimit;
    private boolean answeringMachineDetection;
    private boolean record;

    private Builder(String to) {
      this.to = Objects.requireNonNull(to, "to");
    }

    /**
     * Sets the caller id.
     *
     * @param from a number the account owns
     * @return this builder
     */
    public Builder from(String from) {
      this.from = Objects.requireNonNull(from, "from");
      return this;
    }

    /**
     * Adds a custom parameter for the media stream.
     *
     * @param name the name
     * @param value the value
     * @return this builder
     */
    public Builder parameter(String name, String value) {
      parameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Streams the call's media to this URL instead of the backend's own endpoint, such as a {@code
     * TELEPHONY_DIRECT} agent session's join URL.
     *
     * @param streamUrl a {@code wss://} URL, used as given (query string included)
     * @return this builder
     */
    public Builder streamUrl(URI streamUrl) {
      this.streamUrl = Objects.requireNonNull(streamUrl, "streamUrl");
      return this;
    }

    /**
     * Sets how long to ring.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets the longest the call may last.
     *
     * @param timeLimit a positive duration
     * @return this builder
     */
    public Builder timeLimit(Duration timeLimit) {
      this.timeLimit = Objects.requireNonNull(timeLimit, "timeLimit");
      return this;
    }

    /**
     * Turns answering-machine detection on or off.
     *
     * @param enabled whether to detect
     * @return this builder
     */
    public Builder answeringMachineDetection(boolean enabled) {
      this.answeringMachineDetection = enabled;
      return this;
    }

    /**
     * Turns recording on or off.
     *
     * @param enabled whether to record
     * @return this builder
     */
    public Builder record(boolean enabled) {
      this.record = enabled;
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     * @throws IllegalArgumentException naming a bad setting
     */
    public CallRequest build() {
      return new CallRequest(
          to, from, parameters, streamUrl, timeout, timeLimit, answeringMachineDetection, record);
    }
  }
}
