package dev.switchboard.voice.twilio;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link InboundCallRouter} decides for an inbound call: accept it onto a media stream,
 * reject it, or say a message and hang up. Immutable; make one with the static factories.
 *
 * <pre>{@code
 * InboundCallRouter router = call -> call.from().startsWith("+1")
 *     ? InboundDecision.accept(Map.of("agent", "support"))
 *     : InboundDecision.say("Sorry, this line only takes calls from North America.");
 * }</pre>
 */
public sealed interface InboundDecision {
  /**
   * Accepts the call onto the backend's own media endpoint; the parameters reach the stream's
   * {@code MediaStream.parameters()} (and the call's {@code parameters()}).
   *
   * @param parameters custom stream parameters (keep them short: Twilio's TwiML is limited)
   * @return the decision
   */
  static InboundDecision accept(Map<String, String> parameters) {
    return new Accept(parameters, null);
  }

  /**
   * Accepts the call and streams its media to another endpoint, such as the join URL of a {@code
   * TELEPHONY_DIRECT} agent service; the backend then sees call events but no media.
   *
   * @param parameters custom stream parameters
   * @param streamUrl a {@code wss://} URL, used as given (a join URL may carry a query string; it
   *     is XML-escaped in the TwiML)
   * @return the decision
   */
  static InboundDecision accept(Map<String, String> parameters, URI streamUrl) {
    return new Accept(parameters, Objects.requireNonNull(streamUrl, "streamUrl"));
  }

  /**
   * Rejects the call ({@code <Reject/>}): the caller hears a not-in-service tone, nothing is
   * billed.
   *
   * @return the decision
   */
  static InboundDecision reject() {
    return new Reject();
  }

  /**
   * Answers, speaks a message ({@code <Say>}), then hangs up.
   *
   * @param message what to say
   * @return the decision
   */
  static InboundDecision say(String message) {
    return new Say(message);
  }

  /**
   * Accept onto a media stream.
   *
   * @param parameters the custom stream parameters
   * @param streamUrl where to stream, or null for the backend's own media endpoint
   */
  record Accept(Map<String, String> parameters, @Nullable URI streamUrl)
      implements InboundDecision {
    /** Validates and copies. */
    public Accept {
      parameters =
          java.util.Collections.unmodifiableMap(
              new LinkedHashMap<>(Objects.requireNonNull(parameters, "parameters")));
    }
  }

  /** Reject. */
  record Reject() implements InboundDecision {}

  /**
   * Say a message, then hang up.
   *
   * @param message what to say
   */
  record Say(String message) implements InboundDecision {
    /** Validates. */
    public Say {
      Objects.requireNonNull(message, "message");
      if (message.isBlank()) {
        throw new IllegalArgumentException("message must not be blank");
      }
    }
  }
}
