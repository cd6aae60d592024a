package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.switchboard.agent.ultravox.internal.JsonValues;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who speaks first on a call: Ultravox's {@code firstSpeakerSettings}, an object with exactly one
 * key, {@code agent} or {@code user}. Ultravox's default is {@code {"agent": {}}}; for outbound
 * phone calls the callee should speak first ({@link #user()}). Immutable and thread-safe.
 *
 * <pre>{@code
 * FirstSpeakerSettings.agent();                                    // the agent greets
 * FirstSpeakerSettings.agent("Hello, Smile Dental!", false, null); // with these words
 * FirstSpeakerSettings.user();                                     // the callee says hello first
 * FirstSpeakerSettings.user(Duration.ofSeconds(3), "Hello?");      // ...or the agent after 3 s
 * }</pre>
 */
public final class FirstSpeakerSettings {
  /** The key for the agent speaking first. */
  public static final String AGENT = "agent";

  /** The key for the user speaking first. */
  public static final String USER = "user";

  private final String speaker;
  private final Map<String, Object> settings;

  private FirstSpeakerSettings(String speaker, Map<String, Object> settings) {
    this.speaker = speaker;
    this.settings = settings;
  }

  /**
   * Returns "the agent speaks first", as Ultravox decides.
   *
   * @return {@code {"agent": {}}}
   */
  public static FirstSpeakerSettings agent() {
    return new FirstSpeakerSettings(AGENT, Map.of());
  }

  /**
   * Returns "the agent speaks first" with options.
   *
   * @param text the exact greeting, or null to let the model greet
   * @param uninterruptible whether the user cannot interrupt the greeting
   * @param delay how long to wait before greeting, or null for none
   * @return the settings
   * @throws IllegalArgumentException if the delay is negative
   */
  public static FirstSpeakerSettings agent(
      @Nullable String text, boolean uninterruptible, @Nullable Duration delay) {
    Map<String, Object> s = new LinkedHashMap<>();
    if (text != null) {
      s.put("text", text);
    }
    if (uninterruptible) {
      s.put("uninterruptible", true);
    }
    if (delay != null) {
      requireNotNegative(delay, "delay");
      s.put("delay", ProtoDuration.format(delay));
    }
    return new FirstSpeakerSettings(AGENT, JsonValues.freezeMap(s));
  }

  /**
   * Returns "the user speaks first", the right choice for outbound phone calls.
   *
   * @return {@code {"user": {}}}
   */
  public static FirstSpeakerSettings user() {
    return new FirstSpeakerSettings(USER, Map.of());
  }

  /**
   * Returns "the user speaks first, or the agent if the user is silent for {@code delay}".
   *
   * @param delay how long the agent waits for the user
   * @param text what the agent then says, or null to let the model speak
   * @return the settings
   * @throws IllegalArgumentException if the delay is negative
   */
  public static FirstSpeakerSettings user(Duration delay, @Nullable String text) {
    Objects.requireNonNull(delay, "delay");
    requireNotNegative(delay, "delay");
    Map<String, Object> fallback = new LinkedHashMap<>();
    fallback.put("delay", ProtoDuration.format(delay));
    if (text != null) {
      fallback.put("text", text);
    }
    return new FirstSpeakerSettings(USER, JsonValues.freezeMap(Map.of("fallback", fallback)));
  }

  /**
   * Returns settings from their parts, e.g. with options this class does not name ({@code prompt}).
   *
   * @param speaker {@link #AGENT} or {@link #USER} (other keys are accepted for forward
   *     compatibility)
   * @param settings the object under the key (copied deeply)
   * @return the settings
   * @throws IllegalArgumentException if the speaker is blank
   */
  public static FirstSpeakerSettings of(String speaker, Map<String, ?> settings) {
    Objects.requireNonNull(speaker, "speaker");
    Objects.requireNonNull(settings, "settings");
    if (speaker.isBlank()) {
      throw new IllegalArgumentException("first speaker must not be blank");
    }
    return new FirstSpeakerSettings(speaker, JsonValues.freezeMap(settings));
  }

  /**
   * Reads the JSON shape {@code {"agent": {...}}} or {@code {"user": {...}}}.
   *
   * @param json the object
   * @return the settings
   * @throws IllegalArgumentException if it has not exactly one key
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static FirstSpeakerSettings fromJson(Map<String, Object> json) {
    String key = JsonValues.singleKey(json, "firstSpeakerSettings");
    @SuppressWarnings("unchecked")
    Map<String, ?> value = (Map<String, ?>) json.get(key);
    return of(key, value == null ? Map.of() : value);
  }

  /**
   * Returns the JSON shape.
   *
   * @return an unmodifiable one-entry map
   */
  @JsonValue
  public Map<String, Object> toJson() {
    return Map.of(speaker, settings);
  }

  /**
   * Returns who speaks first.
   *
   * @return {@link #AGENT} or {@link #USER}
   */
  public String speaker() {
    return speaker;
  }

  /**
   * Returns the options under the key.
   *
   * @return an unmodifiable deep map
   */
  public Map<String, Object> settings() {
    return settings;
  }

  /**
   * Tells whether the user speaks first.
   *
   * @return true for {@code user}
   */
  public boolean isUser() {
    return USER.equals(speaker);
  }

  /**
   * Tells whether the agent speaks first.
   *
   * @return true for {@code agent}
   */
  public boolean isAgent() {
    return AGENT.equals(speaker);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FirstSpeakerSettings other
        && speaker.equals(other.speaker)
        && settings.equals(other.settings);
  }

  @Override
  public int hashCode() {
    return speaker.hashCode() * 31 + settings.hashCode();
  }

  @Override
  public String toString() {
    return "FirstSpeakerSettings{" + speaker + "=" + settings + "}";
  }

  private static void requireNotNegative(Duration d, String name) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
  }
}
