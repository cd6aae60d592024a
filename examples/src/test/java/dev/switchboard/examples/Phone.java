package dev.switchboard.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.openai.SessionRecord;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** Reads what a simulated phone received and what the fake agent sent. */
final class Phone {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Phone() {}

  /** The audio of every {@code media} message received, in order, from event index {@code from}. */
  static byte[] received(List<TwilioCallSimulator.Event> events, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = from; i < to; i++) {
      if (events.get(i) instanceof TwilioCallSimulator.Received r) {
        out.writeBytes(payload(r.json()));
      }
    }
    return out.toByteArray();
  }

  static byte[] payload(String json) {
    if (!json.contains("\"event\":\"media\"")) {
      return new byte[0];
    }
    int at = json.indexOf("\"payload\":\"");
    if (at < 0) {
      return new byte[0];
    }
    int start = at + 11;
    return Base64.getDecoder().decode(json.substring(start, json.indexOf('"', start)));
  }

  /** The index of an event in a snapshot. */
  static int indexOf(List<TwilioCallSimulator.Event> events, TwilioCallSimulator.Event event) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i) == event) {
        return i;
      }
    }
    throw new AssertionError(event + " is not in the snapshot");
  }

  /** The audio the fake sent for one response, in order. */
  static byte[] audioOf(SessionRecord session, String responseId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (JsonNode delta : session.serverEvents("response.output_audio.delta")) {
      if (delta.path("response_id").asText().equals(responseId)) {
        out.writeBytes(Base64.getDecoder().decode(delta.path("delta").asText()));
      }
    }
    return out.toByteArray();
  }

  /** Every audio delta the fake sent in a session, in order. */
  static byte[] allAudio(SessionRecord session) {
    return PhoneAgentDemo.agentSent(session);
  }

  /** Whether {@code haystack} contains {@code needle} as a contiguous run. */
  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
