package dev.switchboard.examples.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /agents} and {@code PUT /agents/{id}}, validated: what a caller may say
 * about an agent. Immutable. Not API.
 *
 * @param name the agent's name, 1 to 64 characters (Ultravox's limit)
 * @param prompt the system prompt, may use {@code {{variables}}}
 * @param voice a voice name or id, or null for Ultravox's default
 * @param temperature 0 to 1, or null for Ultravox's default (0)
 * @param languageHint a BCP 47 language tag, or null
 * @param firstMessage what the agent says first when it speaks first, or null
 * @param maxDuration the longest a call may last, or null for Ultravox's default (1 h)
 */
record AgentInput(
    String name,
    String prompt,
    @Nullable String voice,
    @Nullable Double temperature,
    @Nullable String languageHint,
    @Nullable String firstMessage,
    @Nullable Duration maxDuration) {

  /** Ultravox's limit for an agent's name. */
  static final int MAX_NAME_LENGTH = 64;

  static final Set<String> FIELDS =
      Set.of(
          "name", "prompt", "voice", "temperature", "languageHint", "firstMessage", "maxDuration");

  // BCP 47 in its common shapes: "en", "en-US", "zh-Hant-TW", "es-419".
  private static final Pattern LANGUAGE_TAG = Pattern.compile("[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*");
  // Protobuf's duration as Ultravox writes it: decimal seconds with an "s".
  private static final Pattern PROTO_DURATION =
      Pattern.compile("(0|[1-9][0-9]{0,11})(\\.[0-9]{1,9})?s");
  private static final BigDecimal MAX_SECONDS = new BigDecimal("999999999999");

  /**
   * Validates a parsed body.
   *
   * @throws ApiException naming the first bad field
   */
  static AgentInput from(ObjectNode body) {
    String name = JsonBodies.requiredText(body, "name");
    // UTF-16 units, as UltravoxClient counts them (Ultravox may count code points: never more).
    int length = name.length();
    if (length > MAX_NAME_LENGTH) {
      throw ApiException.invalid(
          "name",
          "name must be at most "
              + MAX_NAME_LENGTH
              + " characters (Ultravox's limit), got "
              + length);
    }
    String prompt = JsonBodies.requiredText(body, "prompt");
    String voice = JsonBodies.optionalText(body, "voice");
    Double temperature = temperature(body.get("temperature"));
    String languageHint = JsonBodies.optionalText(body, "languageHint");
    if (languageHint != null && !LANGUAGE_TAG.matcher(languageHint).matches()) {
      throw ApiException.invalid(
          "languageHint",
          "languageHint must be a BCP 47 language tag such as \"en\" or \"en-US\", got \""
              + JsonBodies.abbreviate(languageHint)
              + "\"");
    }
    String firstMessage = JsonBodies.optionalText(body, "firstMessage");
    Duration maxDuration = maxDuration(body.get("maxDuration"));
    return new AgentInput(
        name, prompt, voice, temperature, languageHint, firstMessage, maxDuration);
  }

  private static @Nullable Double temperature(@Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isNumber()) {
      throw ApiException.invalid(
          "temperature",
          "temperature must be a number from 0 to 1, got " + JsonBodies.typeName(node));
    }
    double value = node.doubleValue();
    if (!(value >= 0.0 && value <= 1.0)) {
      throw ApiException.invalid(
          "temperature", "temperature must be from 0 to 1, got " + node.asText());
    }
    return value;
  }

  private static @Nullable Duration maxDuration(@Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    BigDecimal seconds;
    if (node.isNumber()) {
      seconds = node.decimalValue();
    } else if (node.isTextual() && PROTO_DURATION.matcher(node.textValue()).matches()) {
      String text = node.textValue();
      seconds = new BigDecimal(text.substring(0, text.length() - 1));
    } else {
      throw ApiException.invalid(
          "maxDuration",
          "maxDuration must be a number of seconds (600) or a duration string (\"600s\"), got "
              + (node.isTextual()
                  ? "\"" + JsonBodies.abbreviate(node.textValue()) + "\""
                  : JsonBodies.typeName(node)));
    }
    if (seconds.signum() <= 0 || seconds.compareTo(MAX_SECONDS) > 0 || seconds.scale() > 9) {
      throw ApiException.invalid(
          "maxDuration",
          "maxDuration must be positive, with at most 9 decimals, got " + seconds.toPlainString());
    }
    BigDecimal nanos = seconds.remainder(BigDecimal.ONE).movePointRight(9);
    return Duration.ofSeconds(seconds.longValue(), nanos.longValue());
  }
}
