package dev.switchboard.agent.openai.realtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How the OpenAI Realtime service decides that the caller has finished a turn ({@code
 * audio.input.turn_detection}). Immutable and thread-safe.
 *
 * <pre>{@code
 * TurnDetection vad = TurnDetection.serverVad();                       // 0.5, 300 ms, 500 ms
 * TurnDetection patient = TurnDetection.serverVad(0.6, Duration.ofMillis(300),
 *     Duration.ofMillis(800));
 * TurnDetection semantic = TurnDetection.semanticVad(TurnDetection.Eagerness.LOW);
 * TurnDetection manual = TurnDetection.none();
 * }</pre>
 *
 * <p>With {@link Type#SERVER_VAD} or {@link Type#SEMANTIC_VAD} the service creates a response when
 * the caller stops speaking ({@link #createResponse()}) and cancels the response in progress when
 * the caller starts speaking ({@link #interruptResponse()}); both are on by default. With {@link
 * Type#NONE} nothing answers audio on its own: turns are driven by {@code sendText}.
 */
public final class TurnDetection {
  /** The kinds of turn detection. */
  public enum Type {
    /** Voice activity detection on the audio's volume ({@code server_vad}). */
    SERVER_VAD,
    /** A model that judges whether the caller has finished their thought ({@code semantic_vad}). */
    SEMANTIC_VAD,
    /** No turn detection: manual turns ({@code turn_detection: null}). */
    NONE
  }

  /** How soon semantic VAD answers: the longer it waits, the less it interrupts. */
  public enum Eagerness {
    /** Waits longest (up to 8 s). */
    LOW,
    /** The middle (up to 4 s). */
    MEDIUM,
    /** Answers soonest (up to 2 s). */
    HIGH,
    /** The service's choice (medium). */
    AUTO
  }

  private static final TurnDetection NONE =
      new TurnDetection(Type.NONE, 0, Duration.ZERO, Duration.ZERO, Eagerness.AUTO, false, false);

  private final Type type;
  private final double threshold;
  private final Duration prefixPadding;
  private final Duration silenceDuration;
  private final Eagerness eagerness;
  private final boolean createResponse;
  private final boolean interruptResponse;

  private TurnDetection(
      Type type,
      double threshold,
      Duration prefixPadding,
      Duration silenceDuration,
      Eagerness eagerness,
      boolean createResponse,
      boolean interruptResponse) {
    this.type = type;
    this.threshold = threshold;
    this.prefixPadding = prefixPadding;
    this.silenceDuration = silenceDuration;
    this.eagerness = eagerness;
    this.createResponse = createResponse;
    this.interruptResponse = interruptResponse;
  }

  /**
   * Returns server VAD with threshold 0.5, 300 ms prefix padding and 500 ms of silence.
   *
   * @return the setting
   */
  public static TurnDetection serverVad() {
    return serverVad(0.5, Duration.ofMillis(300), Duration.ofMillis(500));
  }

  /**
   * Returns server VAD with the given tuning.
   *
   * @param threshold activation threshold, 0.0 to 1.0; higher needs louder speech
   * @param prefixPadding audio kept before detected speech
   * @param silenceDuration silence that ends the caller's turn
   * @return the setting
   * @throws IllegalArgumentException if the threshold is outside 0-1 or a duration is negative
   */
  public static TurnDetection serverVad(
      double threshold, Duration prefixPadding, Duration silenceDuration) {
    Objects.requireNonNull(prefixPadding, "prefixPadding");
    Objects.requireNonNull(silenceDuration, "silenceDuration");
    if (!(threshold >= 0.0 && threshold <= 1.0)) {
      throw new IllegalArgumentException("threshold must be between 0.0 and 1.0, got " + threshold);
    }
    if (prefixPadding.isNegative() || silenceDuration.isNegative()) {
      throw new IllegalArgumentException("prefixPadding and silenceDuration must not be negative");
    }
    return new TurnDetection(
        Type.SERVER_VAD, threshold, prefixPadding, silenceDuration, Eagerness.AUTO, true, true);
  }

  /**
   * Returns semantic VAD.
   *
   * @param eagerness how soon it answers
   * @return the setting
   */
  public static TurnDetection semanticVad(Eagerness eagerness) {
    Objects.requireNonNull(eagerness, "eagerness");
    return new TurnDetection(
        Type.SEMANTIC_VAD, 0, Duration.ZERO, Duration.ZERO, eagerness, true, true);
  }

  /**
   * Returns no turn detection (manual turns).
   *
   * @return the setting
   */
  public static TurnDetection none() {
    return NONE;
  }

  /**
   * Returns this setting with automatic response creation at the end of the caller's turn on or off
   * (ignored for {@link Type#NONE}).
   *
   * @param create whether the service answers on its own
   * @return a new setting
   */
  public TurnDetection withCreateResponse(boolean create) {
    return new TurnDetection(
        type, threshold, prefixPadding, silenceDuration, eagerness, create, interruptResponse);
  }

  /**
   * Returns this setting with automatic cancellation of the response in progress when the caller
   * starts speaking on or off (ignored for {@link Type#NONE}).
   *
   * @param interrupt whether the service stops talking on barge-in by itself
   * @return a new setting
   */
  public TurnDetection withInterruptResponse(boolean interrupt) {
    return new TurnDetection(
        type, threshold, prefixPadding, silenceDuration, eagerness, createResponse, interrupt);
  }

  /**
   * Returns the kind.
   *
   * @return the type
   */
  public Type type() {
    return type;
  }

  /**
   * Returns server VAD's activation threshold.
   *
   * @return 0.0 to 1.0 (0 for other types)
   */
  public double threshold() {
    return threshold;
  }

  /**
   * Returns server VAD's prefix padding.
   *
   * @return the padding (zero for other types)
   */
  public Duration prefixPadding() {
    return prefixPadding;
  }

  /**
   * Returns server VAD's end-of-turn silence.
   *
   * @return the silence (zero for other types)
   */
  public Duration silenceDuration() {
    return silenceDuration;
  }

  /**
   * Returns semantic VAD's eagerness.
   *
   * @return the eagerness ({@code AUTO} for other types)
   */
  public Eagerness eagerness() {
    return eagerness;
  }

  /**
   * Tells whether the service creates a response when the caller's turn ends.
   *
   * @return true by default for VAD types, false for {@link Type#NONE}
   */
  public boolean createResponse() {
    return createResponse;
  }

  /**
   * Tells whether the service cancels its response when the caller starts speaking.
   *
   * @return true by default for VAD types, false for {@link Type#NONE}
   */
  public boolean interruptResponse() {
    return interruptResponse;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TurnDetection t
        && type == t.type
        && Double.compare(threshold, t.threshold) == 0
        && prefixPadding.equals(t.prefixPadding)
        && silenceDuration.equals(t.silenceDuration)
        && eagerness == t.eagerness
        && createResponse == t.createResponse
        && interruptResponse == t.interruptResponse;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        type,
        threshold,
        prefixPadding,
        silenceDuration,
        eagerness,
        createResponse,
        interruptResponse);
  }

  @Override
  public String toString() {
    return switch (type) {
      case NONE -> "TurnDetection[none]";
      case SERVER_VAD ->
          "TurnDetection[server_vad, threshold "
              + threshold
              + ", prefix "
              + prefixPadding.toMillis()
              + " ms, silence "
              + silenceDuration.toMillis()
              + " ms, create "
              + createResponse
              + ", interrupt "
              + interruptResponse
              + "]";
      case SEMANTIC_VAD ->
          "TurnDetection[semantic_vad, "
              + eagerness
              + ", create "
              + createResponse
              + ", interrupt "
              + interruptResponse
              + "]";
    };
  }
}
