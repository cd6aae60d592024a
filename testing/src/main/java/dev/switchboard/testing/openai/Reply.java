package dev.switchboard.testing.openai;

import java.time.Duration;
import java.util.Objects;

/**
 * One scripted model response of a {@link FakeOpenAiRealtimeServer}: spoken audio with its
 * transcript, text, or a function call. Each response the fake creates uses the next scripted reply
 * ({@link FakeOpenAiRealtimeServer.Builder#reply}), whatever triggered it. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * FakeOpenAiRealtimeServer fake = FakeOpenAiRealtimeServer.builder()
 *     .reply(Reply.functionCall("book_table", "{\"people\":2}"))
 *     .reply(Reply.audio("Booked: a table for two at eight.", Duration.ofSeconds(2)))
 *     .build();
 * }</pre>
 *
 * <p>How a reply is delivered depends on the response's output modality: in an {@code ["audio"]}
 * response an {@link Audio} reply streams audio of exactly its duration plus its transcript, and a
 * {@link Text} reply is spoken too, lasting {@link Text#SPOKEN_MILLIS_PER_WORD} per word (at least
 * one word's worth); in a {@code ["text"]} response both stream as text (an audio reply's
 * transcript). A {@link FunctionCall} is the same in both.
 */
public sealed interface Reply permits Reply.Audio, Reply.Text, Reply.FunctionCall {

  /**
   * A spoken reply.
   *
   * @param transcript what is said; streamed as {@code response.output_audio_transcript.delta}
   *     words
   * @param duration how long the audio lasts; positive
   * @return the reply
   */
  static Reply audio(String transcript, Duration duration) {
    return new Audio(transcript, duration);
  }

  /**
   * A text reply, for {@code output_modalities: ["text"]} sessions.
   *
   * @param text the text; streamed as {@code response.output_text.delta} words
   * @return the reply
   */
  static Reply text(String text) {
    return new Text(text);
  }

  /**
   * A function call: the response's only output is a {@code function_call} item with a fresh {@code
   * call_…} id.
   *
   * @param name the function's name
   * @param arguments the arguments as a JSON string, sent as is (not validated, so tests can send
   *     malformed arguments)
   * @return the reply
   */
  static Reply functionCall(String name, String arguments) {
    return new FunctionCall(name, arguments);
  }

  /**
   * A spoken reply.
   *
   * @param transcript what is said
   * @param duration how long the audio lasts, positive
   */
  record Audio(String transcript, Duration duration) implements Reply {
    /** Checks the components. */
    public Audio {
      Objects.requireNonNull(transcript, "transcript");
      Objects.requireNonNull(duration, "duration");
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive, got " + duration);
      }
    }
  }

  /**
   * A text reply.
   *
   * @param text the text
   */
  record Text(String text) implements Reply {
    /** How long each word lasts when a text reply is spoken in an audio response. */
    public static final Duration SPOKEN_MILLIS_PER_WORD = Duration.ofMillis(400);

    /** Checks the component. */
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * A function call.
   *
   * @param name the function's name, not blank
   * @param arguments the arguments, a JSON string
   */
  record FunctionCall(String name, String arguments) implements Reply {
    /** Checks the components. */
    public FunctionCall {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(arguments, "arguments");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a function call needs a name");
      }
    }
  }
}
