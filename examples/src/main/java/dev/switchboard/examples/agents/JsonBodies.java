package dev.switchboard.examples.agents;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.webhook.WebhookRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads request bodies strictly: a JSON object (no trailing content, no duplicate keys), only known
 * fields, each of the expected type. Every failure is an {@link ApiException} naming the field.
 * Stateless and thread-safe. Not API.
 */
final class JsonBodies {
  /** The mapper for requests (strict) and responses. */
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private JsonBodies() {}

  /**
   * Parses the body as a JSON object with only the given fields.
   *
   * @throws ApiException 415 for a non-JSON content type, 400 for an empty or malformed body, a
   *     body that is not an object, or an unknown field
   */
  static ObjectNode object(WebhookRequest request, Set<String> allowed) {
    String contentType = request.header("Content-Type").orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.isEmpty() && !mediaType.equals("application/json")) {
      throw new ApiException(
          415,
          "unsupported_media_type",
          "the body must be JSON (Content-Type: application/json), got " + abbreviate(mediaType),
          null);
    }
    ByteBuffer buffer = request.body();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      throw new ApiException(
          400, "invalid_json", "the request body is empty; send a JSON object", null);
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      String field = duplicateField(e.getOriginalMessage());
      throw new ApiException(
          400, "invalid_json", "malformed JSON" + where + ": " + e.getOriginalMessage(), field);
    } catch (IOException e) {
      throw new ApiException(400, "invalid_json", "the request body could not be read", null);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new ApiException(
          400, "invalid_json", "the body must be a JSON object, got " + typeName(node), null);
    }
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ApiException(
            400,
            "unknown_field",
            "unknown field '"
                + abbreviate(name)
                + "'; the accepted fields are "
                + String.join(", ", new java.util.TreeSet<>(allowed)),
            abbreviate(name));
      }
    }
    return object;
  }

  /** A required, non-blank string. */
  static String requiredText(ObjectNode object, String field) {
    String value = optionalText(object, field);
    if (value == null) {
      throw ApiException.missing(field, field + " is required");
    }
    return value;
  }

  /**
   * An optional string: null when absent or JSON null.
   *
   * @throws ApiException when present but not a string, or blank
   */
  static @Nullable String optionalText(ObjectNode object, String field) {
    JsonNode node = object.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiException.invalid(field, field + " must be a string, got " + typeName(node));
    }
    String value = node.textValue();
    if (value.isBlank()) {
      throw ApiException.missing(field, field + " must not be blank");
    }
    return value;
  }

  /** The JSON type of a node, for messages. */
  static String typeName(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case NUMBER -> "a number";
      case OBJECT -> "an object";
      case STRING -> "a string";
      default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /** Cuts caller-supplied text that is echoed in a message. */
  static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  private static @Nullable String duplicateField(@Nullable String message) {
    // Jackson: "Duplicate field 'name'"
    if (message != null && message.startsWith("Duplicate field '")) {
      int end = message.indexOf('\'', 17);
      if (end > 17) {
        return abbreviate(message.substring(17, end));
      }
    }
    return null;
  }
}
