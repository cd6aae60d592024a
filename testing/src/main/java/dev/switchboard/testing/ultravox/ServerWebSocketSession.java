package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.codec.AudioFormat;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The {@code serverWebSocket} medium: binary PCM16LE both ways, JSON data messages with a {@code
 * type}. Playback is estimated from real time: the client is assumed to start playing an utterance
 * when its first audio is sent and to play it at real time.
 */
final class ServerWebSocketSession extends CallSession {
  private final AudioFormat input;
  private final AudioFormat output;
  private final long leadNanos;

  ServerWebSocketSession(FakeUltravox fake, FakeUltravoxCall call, @Nullable Socket rawSocket) {
    super(fake, call, rawSocket);
    JsonNode medium = call.json().path("medium").path("serverWebSocket");
    int inputRate = medium.path("inputSampleRate").asInt();
    int outputRate = medium.path("outputSampleRate").asInt(inputRate);
    this.input = AudioFormat.of(AudioFormat.Encoding.PCM16LE, inputRate, 1);
    this.output = AudioFormat.of(AudioFormat.Encoding.PCM16LE, outputRate, 1);
    this.leadNanos = TimeUnit.MILLISECONDS.toNanos(medium.path("clientBufferSizeMs").asLong(60));
  }

  @Override
  AudioFormat inputFormat() {
    return input;
  }

  @Override
  AudioFormat outputFormat() {
    return output;
  }

  @Override
  long leadNanos() {
    return leadNanos;
  }

  @Override
  String typeField() {
    return "type";
  }

  @Override
  void onJoined() {
    // UNCERTAIN: whether call_started is sent by default (EnabledDataMessages.callStarted)
    sendText(message("call_started").put("callId", call.callId()));
    begin();
  }

  @Override
  void onText(FakeUltravoxCall.DataMessage received) {
    JsonNode json = received.json();
    if (!json.isObject()) {
      protocolError("not a JSON object", excerpt(received.raw()));
      return;
    }
    switch (received.type()) {
      case "ping" -> {
        ObjectNode pong = message("pong");
        pong.set("timestamp", json.get("timestamp"));
        sendText(pong);
      }
      case "user_text_message" -> userTextMessage(json);
      case "forced_agent_message" -> forcedAgentMessage(json);
      case "hang_up" -> hangUp(json, "hangup");
      case "client_tool_result" -> toolResult(json);
      case "set_output_medium" -> {
        String medium = json.path("medium").asText("");
        if (!medium.equals("voice") && !medium.equals("text")) {
          protocolError("set_output_medium needs medium voice or text, got " + json.get("medium"));
        }
      }
      case "" -> protocolError("a data message without a string type", excerpt(received.raw()));
      default -> protocolError("unknown data message type " + received.type());
    }
  }

  @Override
  void onBinary(byte[] bytes) {
    if (bytes.length % 2 != 0) {
      protocolError(
          "a binary frame of " + bytes.length + " bytes is not whole 16-bit samples; dropped");
      return;
    }
    userAudio(bytes);
  }

  @Override
  void sendAudio(Utterance u, byte[] chunk) {
    sendBinary(chunk);
  }

  @Override
  void sendClear() {
    sendText(message("playback_clear_buffer"));
  }

  @Override
  long playedNanos(Utterance u, long now) {
    return Math.max(0, Math.min(u.sentNanos(), now - u.startNanos));
  }

  @Override
  boolean playing(Utterance u, long now) {
    return now - u.startNanos < u.totalNanos;
  }

  @Override
  void whenPlayedOut(Runnable action) {
    Utterance u = last;
    long left = u == null ? 0 : u.startNanos + u.totalNanos - System.nanoTime();
    if (left <= 0) {
      action.run();
    } else {
      timer(action, left);
    }
  }

  @Override
  boolean supportsClientTools() {
    return true;
  }

  @Override
  void onState(String state) {
    sendText(message("state").put("state", state));
  }

  @Override
  void onAgentDelta(Utterance u, String delta) {
    ObjectNode transcript = message("transcript").put("role", "agent").put("medium", "voice");
    transcript.putNull("text").put("delta", delta).put("final", false).put("ordinal", u.ordinal);
    sendText(transcript);
  }

  @Override
  void onAgentFinal(Utterance u, String text) {
    ObjectNode transcript = message("transcript").put("role", "agent").put("medium", "voice");
    transcript.put("text", text).putNull("delta").put("final", true).put("ordinal", u.ordinal);
    sendText(transcript);
  }

  @Override
  void onUserTranscript(int ordinal, String text, String medium) {
    ObjectNode transcript = message("transcript").put("role", "user").put("medium", medium);
    transcript.put("text", text).putNull("delta").put("final", true).put("ordinal", ordinal);
    sendText(transcript);
  }

  @Override
  void sendToolInvocation(String toolName, String invocationId, String parametersJson) {
    ObjectNode invocation = message("client_tool_invocation");
    invocation.put("toolName", toolName).put("invocationId", invocationId);
    try {
      invocation.set("parameters", FakeUltravox.JSON.readTree(parametersJson));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("AgentReply validated its parameters", e);
    }
    sendText(invocation);
  }

  private static ObjectNode message(String type) {
    return FakeUltravox.JSON.createObjectNode().put("type", type);
  }

  static String excerpt(String raw) {
    return raw.length() > 120 ? raw.substring(0, 120) + "…" : raw;
  }
}
