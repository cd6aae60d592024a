package dev.switchboard.testing.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A session's effective GA configuration and the rules for changing it with {@code session.update}:
 * strict about unknown fields (as the GA service is, which also makes beta-shaped updates fail
 * loudly), atomic (a rejected update changes nothing). Confined to the scheduler thread.
 */
final class SessionConfig {
  static final int DEFAULT_SILENCE_MS = 500;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> SESSION_FIELDS =
      Set.of(
          "type",
          "model",
          "instructions",
          "output_modalities",
          "audio",
          "tools",
          "tool_choice",
          "max_output_tokens",
          "tracing",
          "truncation",
          "prompt",
          "include");
  private static final Set<String> AUDIO_FIELDS = Set.of("input", "output");
  private static final Set<String> INPUT_FIELDS =
      Set.of("format", "transcription", "noise_reduction", "turn_detection");
  private static final Set<String> OUTPUT_FIELDS = Set.of("format", "voice", "speed");
  private static final Set<String> FORMAT_FIELDS = Set.of("type", "rate");
  private static final Set<String> SERVER_VAD_FIELDS =
      Set.of(
          "type",
          "threshold",
          "prefix_padding_ms",
          "silence_duration_ms",
          "create_response",
          "interrupt_response",
          "idle_timeout_ms");
  private static final Set<String> SEMANTIC_VAD_FIELDS =
      Set.of("type", "eagerness", "create_response", "interrupt_response");

  /** A rejected update: the fields of the {@code error} event to send. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;
    final @Nullable String param;

    Invalid(String code, String message, @Nullable String param) {
      super(message, null, false, false);
      this.code = code;
      this.param = param;
    }

    static Invalid unknown(String param) {
      return new Invalid("unknown_parameter", "Unknown parameter: '" + param + "'.", param);
    }

    static Invalid value(String param, String message) {
      return new Invalid("invalid_value", message, param);
    }
  }

  private ObjectNode session;

  private SessionConfig(ObjectNode session) {
    this.session = session;
  }

  static SessionConfig defaults(String id, String model, Instant expiresAt) {
    ObjectNode session = NODES.objectNode();
    session.put("type", "realtime");
    session.put("object", "realtime.session");
    session.put("id", id);
    session.put("model", model);
    session.putArray("output_modalities").add("audio");
    session.put("instructions", "You are a helpful, witty, and friendly AI.");
    session.putArray("tools");
    session.put("tool_choice", "auto");
    session.put("max_output_tokens", "inf");
    session.putNull("tracing");
    session.put("truncation", "auto");
    session.putNull("prompt");
    session.put("expires_at", expiresAt.getEpochSecond());
    session.putNull("include");
    ObjectNode audio = session.putObject("audio");
    ObjectNode input = audio.putObject("input");
    input.set("format", AudioSpec.PCM24K.json());
    input.putNull("transcription");
    input.putNull("noise_reduction");
    input.set("turn_detection", serverVad(NODES.objectNode().put("type", "server_vad")));
    ObjectNode output = audio.putObject("output");
    output.set("format", AudioSpec.PCM24K.json());
    output.put("voice", "alloy");
    output.put("speed", 1.0);
    return new SessionConfig(session);
  }

  ObjectNode json() {
    return session.deepCopy();
  }

  String model() {
    return session.path("model").asText("");
  }

  AudioSpec inputFormat() {
    return AudioSpec.ofType(
        session.path("audio").path("input").path("format").path("type").asText());
  }

  AudioSpec outputFormat() {
    return AudioSpec.ofType(
        session.path("audio").path("output").path("format").path("type").asText());
  }

  String voice() {
    return session.path("audio").path("output").path("voice").asText("alloy");
  }

  String outputModality() {
    return session.path("output_modalities").path(0).asText("audio");
  }

  boolean transcriptionEnabled() {
    JsonNode transcription = session.path("audio").path("input").path("transcription");
    return transcription.isObject();
  }

  /** Turn detection, or null for manual turns. */
  @Nullable JsonNode turnDetection() {
    JsonNode turn = session.path("audio").path("input").path("turn_detection");
    return turn.isObject() ? turn : null;
  }

  boolean createResponse() {
    JsonNode turn = turnDetection();
    return turn != null && turn.path("create_response").asBoolean(true);
  }

  boolean interruptResponse() {
    JsonNode turn = turnDetection();
    return turn != null && turn.path("interrupt_response").asBoolean(true);
  }

  int silenceMillis() {
    JsonNode turn = turnDetection();
    if (turn == null) {
      return DEFAULT_SILENCE_MS;
    }
    return turn.path("silence_duration_ms").asInt(DEFAULT_SILENCE_MS);
  }

  /** Applies an update atomically, or throws describing the first problem. */
  void apply(JsonNode update) throws Invalid {
    if (!update.isObject()) {
      throw new Invalid(
          "missing_required_parameter", "Missing required parameter: 'session'.", "session");
    }
    JsonNode type = update.get("type");
    if (type == null || type.isNull()) {
      throw new Invalid(
          "missing_required_parameter",
          "Missing required parameter: 'session.type'.",
          "session.type");
    }
    if (!"realtime".equals(type.asText())) {
      throw Invalid.value(
          "session.type",
          "Invalid value: '"
              + type.asText()
              + "'. This fake supports only 'realtime' sessions (supported by the service:"
              + " 'realtime', 'transcription').");
    }
    checkKnown(update, SESSION_FIELDS, "session");
    ObjectNode next = session.deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = update.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      switch (name) {
        case "type" -> {}
        case "model" -> {
          if (!value.asText().equals(model())) {
            throw Invalid.value(
                "session.model",
                "Invalid value: '"
                    + value.asText()
                    + "'. A session's model cannot be changed (it is '"
                    + model()
                    + "').");
          }
        }
        case "instructions" -> {
          requireText(value, "session.instructions");
          next.set(name, value);
        }
        case "output_modalities" -> next.set(name, modalities(value, "session.output_modalities"));
        case "tools" -> {
          if (!value.isArray()) {
            throw Invalid.value(
                "session.tools", "Invalid type for 'session.tools': expected an array.");
          }
          for (int i = 0; i < value.size(); i++) {
            JsonNode tool = value.get(i);
            if (!tool.isObject()
                || tool.path("name").asText("").isEmpty()
                    && "function".equals(tool.path("type").asText("function"))) {
              throw new Invalid(
                  "missing_required_parameter",
                  "Missing required parameter: 'session.tools[" + i + "].name'.",
                  "session.tools[" + i + "].name");
            }
          }
          next.set(name, value);
        }
        case "audio" -> next.set(name, audio(next.path("audio"), value));
        default -> next.set(name, value);
      }
    }
    session = next;
  }

  static ArrayNode modalities(JsonNode value, String param) throws Invalid {
    if (!value.isArray()
        || value.size() != 1
        || !Set.of("audio", "text").contains(value.get(0).asText())) {
      throw Invalid.value(
          param,
          "Invalid value for '"
              + param
              + "': expected [\"audio\"] or [\"text\"], got "
              + value
              + ".");
    }
    return (ArrayNode) value;
  }

  private static ObjectNode audio(JsonNode current, JsonNode update) throws Invalid {
    requireObject(update, "session.audio");
    checkKnown(update, AUDIO_FIELDS, "session.audio");
    ObjectNode merged = ((ObjectNode) current).deepCopy();
    if (update.has("input")) {
      JsonNode input = update.get("input");
      requireObject(input, "session.audio.input");
      checkKnown(input, INPUT_FIELDS, "session.audio.input");
      ObjectNode target = (ObjectNode) merged.get("input");
      Iterator<Map.Entry<String, JsonNode>> fields = input.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String param = "session.audio.input." + field.getKey();
        JsonNode value = field.getValue();
        switch (field.getKey()) {
          case "format" -> target.set("format", format(value, param));
          case "turn_detection" -> target.set("turn_detection", turnDetection(value, param));
          default -> {
            if (!value.isNull()) {
              requireObject(value, param);
            }
            target.set(field.getKey(), value);
          }
        }
      }
    }
    if (update.has("output")) {
      JsonNode output = update.get("output");
      requireObject(output, "session.audio.output");
      checkKnown(output, OUTPUT_FIELDS, "session.audio.output");
      ObjectNode target = (ObjectNode) merged.get("output");
      Iterator<Map.Entry<String, JsonNode>> fields = output.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String param = "session.audio.output." + field.getKey();
        if (field.getKey().equals("format")) {
          target.set("format", format(field.getValue(), param));
        } else {
          target.set(field.getKey(), field.getValue());
        }
      }
    }
    return merged;
  }

  private static ObjectNode format(JsonNode value, String param) throws Invalid {
    requireObject(value, param);
    checkKnown(value, FORMAT_FIELDS, param);
    String type = value.path("type").asText("");
    AudioSpec spec;
    try {
      spec = AudioSpec.ofType(type);
    } catch (IllegalArgumentException e) {
      throw Invalid.value(
          param + ".type",
          "Invalid value: '"
              + type
              + "'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.");
    }
    if (spec == AudioSpec.PCM24K && value.has("rate") && value.get("rate").asInt() != 24000) {
      throw Invalid.value(
          param + ".rate",
          "Invalid value: " + value.get("rate") + ". Supported values are: 24000.");
    }
    return spec.json();
  }

  private static JsonNode turnDetection(JsonNode value, String param) throws Invalid {
    if (value.isNull()) {
      return NullNode.getInstance();
    }
    requireObject(value, param);
    String type = value.path("type").asText("");
    switch (type) {
      case "server_vad" -> {
        checkKnown(value, SERVER_VAD_FIELDS, param);
        return serverVad((ObjectNode) value);
      }
      case "semantic_vad" -> {
        checkKnown(value, SEMANTIC_VAD_FIELDS, param);
        ObjectNode turn = NODES.objectNode().put("type", "semantic_vad");
        turn.put("eagerness", value.path("eagerness").asText("auto"));
        turn.put("create_response", value.path("create_response").asBoolean(true));
        turn.put("interrupt_response", value.path("interrupt_response").asBoolean(true));
        return turn;
      }
      default ->
          throw Invalid.value(
              param + ".type",
              "Invalid value: '"
                  + type
                  + "'. Supported values are: 'server_vad' and 'semantic_vad'.");
    }
  }

  private static ObjectNode serverVad(ObjectNode value) {
    ObjectNode turn = NODES.objectNode().put("type", "server_vad");
    turn.put("threshold", value.path("threshold").asDouble(0.5));
    turn.put("prefix_padding_ms", value.path("prefix_padding_ms").asInt(300));
    turn.put("silence_duration_ms", value.path("silence_duration_ms").asInt(DEFAULT_SILENCE_MS));
    JsonNode idle = value.get("idle_timeout_ms");
    turn.set("idle_timeout_ms", idle == null ? NullNode.getInstance() : idle);
    turn.put("create_response", value.path("create_response").asBoolean(true));
    turn.put("interrupt_response", value.path("interrupt_response").asBoolean(true));
    return turn;
  }

  private static void checkKnown(JsonNode node, Set<String> known, String path) throws Invalid {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw Invalid.unknown(path + "." + name);
      }
    }
  }

  private static void requireObject(JsonNode value, String param) throws Invalid {
    if (!value.isObject()) {
      throw Invalid.value(param, "Invalid type for '" + param + "': expected an object.");
    }
  }

  private static void requireText(JsonNode value, String param) throws Invalid {
    if (!value.isTextual()) {
      throw Invalid.value(param, "Invalid type for '" + param + "': expected a string.");
    }
  }
}
