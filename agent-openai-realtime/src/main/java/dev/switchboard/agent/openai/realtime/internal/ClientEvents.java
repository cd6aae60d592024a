package dev.switchboard.agent.openai.realtime.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.openai.realtime.TurnDetection;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.agent.ToolDefinition;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Builds the GA Realtime client events this runtime sends, as JSON text. Stateless and
 * thread-safe.
 */
public final class ClientEvents {
  /**
   * The mapper for every event of every session. Its parsers and generators borrow their buffers
   * from one small shared pool instead of Jackson's default per-thread cache: OkHttp reads each
   * session's socket on a thread of its own, so a per-thread cache would keep one set of buffers
   * (the char buffer sized to the largest event parsed, 20 KB and more) alive per live call.
   */
  static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .recyclerPool(
                  JsonRecyclerPools.newBoundedPool(
                      Math.max(8, 2 * Runtime.getRuntime().availableProcessors())))
              .build());

  private ClientEvents() {}

  /**
   * Returns the wire format object of an audio format: {@code audio/pcmu}, {@code audio/pcma}, or
   * {@code audio/pcm} at 24 kHz.
   *
   * @param format one of PCMU_8K, PCMA_8K, PCM16_24K
   * @return the format object
   */
  static ObjectNode format(AudioFormat format) {
    ObjectNode node = JSON.createObjectNode();
    if (format.equals(AudioFormat.PCMU_8K)) {
      node.put("type", "audio/pcmu");
    } else if (format.equals(AudioFormat.PCMA_8K)) {
      node.put("type", "audio/pcma");
    } else {
      node.put("type", "audio/pcm");
      node.put("rate", 24000);
    }
    return node;
  }

  /**
   * Returns {@code session.update}.
   *
   * @param model the model
   * @param text whether the session answers in text ({@code output_modalities: ["text"]}); text
   *     sessions carry no audio configuration
   * @param instructions the instructions, or null to leave the service's default
   * @param voice the voice
   * @param format the session's audio format, both directions
   * @param turnDetection the turn detection
   * @param transcription the input transcription model, or null for none
   * @param tools the tools
   * @return the event's JSON
   */
  public static String sessionUpdate(
      String model,
      boolean text,
      @Nullable String instructions,
      String voice,
      AudioFormat format,
      TurnDetection turnDetection,
      @Nullable String transcription,
      List<ToolDefinition> tools) {
    ObjectNode session = JSON.createObjectNode();
    session.put("type", "realtime");
    session.put("model", model);
    if (instructions != null) {
      session.put("instructions", instructions);
    }
    session.putArray("output_modalities").add(text ? "text" : "audio");
    if (!text) {
      ObjectNode audio = session.putObject("audio");
      ObjectNode input = audio.putObject("input");
      input.set("format", format(format));
      input.set("turn_detection", turnDetection(turnDetection));
      if (transcription != null) {
        input.putObject("transcription").put("model", transcription);
      }
      ObjectNode output = audio.putObject("output");
      output.set("format", format(format));
      output.put("voice", voice);
    }
    if (!tools.isEmpty()) {
      ArrayNode array = session.putArray("tools");
      for (ToolDefinition tool : tools) {
        ObjectNode t = array.addObject();
        t.put("type", "function");
        t.put("name", tool.name());
        t.put("description", tool.description());
        t.set("parameters", tool.parameters());
      }
      session.put("tool_choice", "auto");
    }
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "session.update");
    event.set("session", session);
    return write(event);
  }

  static @Nullable ObjectNode turnDetection(TurnDetection td) {
    if (td.type() == TurnDetection.Type.NONE) {
      return null; // explicit null: manual turns
    }
    ObjectNode node = JSON.createObjectNode();
    if (td.type() == TurnDetection.Type.SERVER_VAD) {
      node.put("type", "server_vad");
      node.put("threshold", td.threshold());
      node.put("prefix_padding_ms", td.prefixPadding().toMillis());
      node.put("silence_duration_ms", td.silenceDuration().toMillis());
    } else {
      node.put("type", "semantic_vad");
      node.put("eagerness", td.eagerness().name().toLowerCase(java.util.Locale.ROOT));
    }
    node.put("create_response", td.createResponse());
    node.put("interrupt_response", td.interruptResponse());
    return node;
  }

  /**
   * Returns {@code input_audio_buffer.append}. The base64 text is put in as is (the base64 alphabet
   * needs no JSON escaping), so pass-through audio is never decoded or re-encoded.
   *
   * @param base64 the audio, base64 in the session's input format
   * @return the event's JSON
   */
  public static String append(String base64) {
    return "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + base64 + "\"}";
  }

  /**
   * Returns {@code response.create}.
   *
   * @param eventId the client event id, to recognise the service's error about it
   * @param instructions instructions for this response only, or null
   * @return the event
   */
  public static ObjectNode responseCreate(String eventId, @Nullable String instructions) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "response.create");
    event.put("event_id", eventId);
    if (instructions != null) {
      event.putObject("response").put("instructions", instructions);
    }
    return event;
  }

  /**
   * Returns {@code conversation.item.create} of a user text message.
   *
   * @param text the message
   * @return the event's JSON
   */
  public static String userText(String text) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "conversation.item.create");
    ObjectNode item = event.putObject("item");
    item.put("type", "message");
    item.put("role", "user");
    ObjectNode content = item.putArray("content").addObject();
    content.put("type", "input_text");
    content.put("text", text);
    return write(event);
  }

  /**
   * Returns {@code conversation.item.create} of a function call's output.
   *
   * @param callId the call's id
   * @param output the output
   * @return the event's JSON
   */
  public static String functionCallOutput(String callId, String output) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "conversation.item.create");
    ObjectNode item = event.putObject("item");
    item.put("type", "function_call_output");
    item.put("call_id", callId);
    item.put("output", output);
    return write(event);
  }

  /**
   * Returns {@code conversation.item.truncate}.
   *
   * @param itemId the assistant item
   * @param audioEndMs the milliseconds heard
   * @return the event's JSON
   */
  public static String truncate(String itemId, long audioEndMs) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "conversation.item.truncate");
    event.put("item_id", itemId);
    event.put("content_index", 0);
    event.put("audio_end_ms", audioEndMs);
    return write(event);
  }

  /**
   * Returns {@code response.cancel}.
   *
   * @param responseId the response to cancel, or null for the one in progress
   * @return the event's JSON
   */
  public static String cancel(@Nullable String responseId) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "response.cancel");
    if (responseId != null) {
      event.put("response_id", responseId);
    }
    return write(event);
  }

  static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a client event", e); // cannot happen for trees
    }
  }
}
