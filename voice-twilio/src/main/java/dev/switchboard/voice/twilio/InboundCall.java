package dev.switchboard.voice.twilio;

import java.util.Map;
import java.util.Objects;

/**
 * An inbound call as Twilio announced it to the voice webhook, handed to an {@link
 * InboundCallRouter} to decide what happens to it. Immutable.
 *
 * @param callSid Twilio's CallSid
 * @param from the caller ({@code From}), E.164 or a SIP/client address; may be {@code anonymous}
 * @param to the number called ({@code To})
 * @param parameters every parameter of the webhook request, e.g. {@code CallerName}, {@code
 *     ToCountry}, {@code ForwardedFrom} (first value of each), in arrival order
 */
public record InboundCall(String callSid, String from, String to, Map<String, String> parameters) {
  /** Validates the components and copies the parameters. */
  public InboundCall {
    Objects.requireNonNull(callSid, "callSid");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
  }
}
