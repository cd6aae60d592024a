package dev.switchboard.voice.twilio.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Reads the JSON text frames Twilio sends on a Media Stream and writes the ones we send
 * back ({@code media}, {@code mark}, {@code clear}). Reading is tolerant: unknown fields are
 * ignored, unknown events are reported as {@link Unknown}, and anything unreadable as {@link
 * Malformed} with a reason (never the frame's content). Stateless and thread-safe.
 *
 * <p>The two frames that arrive 50 times a second per call, {@code media} and {@code mark}, are
 * read with Jackson's streaming parser (no tree; nothing allocated but the parser and the strings
 * kept); every other frame, and anything the streaming pass does not recognise, is read through a
 * tree, so both paths give the same answers. Frames sent per audio chunk are written from templates
 * (see {@link Writer}).
 */
public final class MediaFrames {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();

  private MediaFrames() {}

  /** A frame from Twilio. */
  public sealed interface Inbound {}

  /** {@code connected}: the first frame. */
  public record Connected() implements Inbound {}

  /**
   * {@code start}.
   *
   * @param streamSid the stream
   * @param callSid the call
   * @param accountSid the account, possibly empty
   * @param customParameters the {@code <Parameter>}s
   * @param encoding the media format's encoding, possibly empty
   * @param sampleRate its sample rate, 0 if absent
   * @param channels its channel count, 0 if absent
   */
  public record Start(
      String streamSid,
      String callSid,
      String accountSid,
      Map<String, String> customParameters,
      String encoding,
      int sampleRate,
      int channels)
      implements Inbound {}

  /**
   * {@code media}.
   *
   * @param payload base64 μ-law, as received
   * @param track {@code inbound} or {@code outbound}, possibly empty
   */
  public record Media(String payload, String track) implements Inbound {}

  /**
   * {@code dtmf}.
   *
   * @param digit the key
   */
  public record Dtmf(String digit) implements Inbound {}

  /**
   * {@code mark}: an echo of a mark we sent.
   *
   * @param name its name
   */
  public record Mark(String name) implements Inbound {}

  /** {@code stop}. */
  public record Stop() implements Inbound {}

  /**
   * A well-formed frame with an event we do not know.
   *
   * @param event the event name
   */
  public record Unknown(String event) implements Inbound {}

  /**
   * A frame we cannot read.
   *
   * @param reason what is wrong with it
   */
  public record Malformed(String reason) implements Inbound {}

  /**
   * Reads a frame.
   *
   * @param text the frame's text
   * @return what it is
   */
  public static Inbound parse(String text) {
    Inbound hot = parseHot(text);
    return hot != null ? hot : parseTree(text);
  }

  /**
   * Reads a {@code media} or {@code mark} frame in one streaming pass, with the tree's semantics
   * (the last of duplicate fields wins; a field of the wrong type counts as absent). Returns null
   * for any other event and for anything that is not a complete JSON object, which the tree then
   * reads (and reports).
   */
  private static @Nullable Inbound parseHot(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String event = null;
      String payload = null;
      String track = null;
      String name = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "event" -> event = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "media" -> {
            payload = null;
            track = null;
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String inner = p.currentName();
                JsonToken v = p.nextToken();
                if (inner.equals("payload")) {
                  payload = v == JsonToken.VALUE_STRING ? p.getText() : null;
                } else if (inner.equals("track")) {
                  track = v == JsonToken.VALUE_STRING ? p.getText() : null;
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren();
            }
          }
          case "mark" -> {
            name = null;
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String inner = p.currentName();
                JsonToken v = p.nextToken();
                if (inner.equals("name")) {
                  name = v == JsonToken.VALUE_STRING ? p.getText() : null;
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || event == null) {
        return null;
      }
      if (event.equals("media")) {
        return payload == null
            ? new Malformed("media without media.payload")
            : new Media(payload, track == null ? "" : track);
      }
      if (event.equals("mark")) {
        return name == null ? new Malformed("mark without mark.name") : new Mark(name);
      }
      return null;
    } catch (IOException e) {
      return null; // the tree reports it
    }
  }

  private static Inbound parseTree(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return new Malformed("not JSON");
    }
    if (root == null || !root.isObject()) {
      return new Malformed("not a JSON object");
    }
    JsonNode event = root.get("event");
    if (event == null || !event.isTextual()) {
      return new Malformed("no event");
    }
    switch (event.asText()) {
      case "connected":
        return new Connected();
      case "start":
        return parseStart(root);
      case "media":
        {
          JsonNode media = root.get("media");
          String payload = text(media, "payload");
          if (payload == null) {
            return new Malformed("media without media.payload");
          }
          String track = text(media, "track");
          return new Media(payload, track == null ? "" : track);
        }
      case "dtmf":
        {
          String digit = text(root.get("dtmf"), "digit");
          return digit == null || digit.isEmpty()
              ? new Malformed("dtmf without dtmf.digit")
              : new Dtmf(digit);
        }
      case "mark":
        {
          String name = text(root.get("mark"), "name");
          return name == null ? new Malformed("mark without mark.name") : new Mark(name);
        }
      case "stop":
        return new Stop();
      default:
        return new Unknown(event.asText());
    }
  }

  private static Inbound parseStart(JsonNode root) {
    JsonNode start = root.get("start");
    if (start == null || !start.isObject()) {
      return new Malformed("start without start object");
    }
    String streamSid = text(start, "streamSid");
    if (streamSid == null) {
      streamSid = text(root, "streamSid");
    }
    String callSid = text(start, "callSid");
    if (streamSid == null || streamSid.isEmpty() || callSid == null || callSid.isEmpty()) {
      return new Malformed("start without streamSid or callSid");
    }
    Map<String, String> params = new LinkedHashMap<>();
    JsonNode custom = start.get("customParameters");
    if (custom != null && custom.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = custom.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          params.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    JsonNode format = start.get("mediaFormat");
    String encoding = format == null ? null : text(format, "encoding");
    int rate =
        format == null || format.get("sampleRate") == null ? 0 : format.get("sampleRate").asInt(0);
    int channels =
        format == null || format.get("channels") == null ? 0 : format.get("channels").asInt(0);
    String account = text(start, "accountSid");
    return new Start(
        streamSid,
        callSid,
        account == null ? "" : account,
        Collections.unmodifiableMap(params),
        encoding == null ? "" : encoding,
        rate,
        channels);
  }

  private static @Nullable String text(@Nullable JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  /**
   * Tells whether a payload is well-formed standard base64 (alphabet, padding, length) without
   * decoding it.
   *
   * @param s the payload
   * @return true if well-formed
   */
  public static boolean isBase64(String s) {
    int n = s.length();
    if (n % 4 != 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alpha =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/';
      if (!alpha) {
        if (c == '=' && (i == n - 1 || (i == n - 2 && s.charAt(n - 1) == '='))) {
          continue;
        }
        return false;
      }
    }
    return true;
  }

  /**
   * Writes the frames of one stream from templates: the stream's {@code streamSid} is escaped once,
   * and a frame is one concatenation of constant parts and the variable one (a base64 payload goes
   * in as is after an alphabet check; anything else is escaped). Immutable and thread-safe.
   */
  public static final class Writer {
    private final String mediaPrefix;
    private final String markPrefix;
    private final String clear;

    /**
     * Creates the templates of a stream.
     *
     * @param streamSid the stream
     */
    public Writer(String streamSid) {
      String sid = escape(streamSid);
      this.mediaPrefix =
          "{\"event\":\"media\",\"streamSid\":\"" + sid + "\",\"media\":{\"payload\":\"";
      this.markPrefix = "{\"event\":\"mark\",\"streamSid\":\"" + sid + "\",\"mark\":{\"name\":\"";
      this.clear = "{\"event\":\"clear\",\"streamSid\":\"" + sid + "\"}";
    }

    /**
     * Writes a {@code media} frame.
     *
     * @param base64 the audio
     * @return the frame
     */
    public String media(String base64) {
      return mediaPrefix + (isBase64(base64) ? base64 : escape(base64)) + "\"}}";
    }

    /**
     * Writes a {@code mark} frame.
     *
     * @param name the mark
     * @return the frame
     */
    public String mark(String name) {
      return markPrefix + (isPlain(name) ? name : escape(name)) + "\"}}";
    }

    /**
     * Writes a {@code clear} frame.
     *
     * @return the frame
     */
    public String clear() {
      return clear;
    }
  }

  /** True if the text needs no JSON escaping: printable ASCII other than quote and backslash. */
  private static boolean isPlain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static String escape(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }

  /**
   * Writes {@code {"event":"media","streamSid":..,"media":{"payload":..}}}.
   *
   * @param streamSid the stream
   * @param base64 the audio
   * @return the frame
   */
  public static String media(String streamSid, String base64) {
    return new Writer(streamSid).media(base64);
  }

  /**
   * Writes {@code {"event":"mark","streamSid":..,"mark":{"name":..}}}.
   *
   * @param streamSid the stream
   * @param name the mark
   * @return the frame
   */
  public static String mark(String streamSid, String name) {
    return new Writer(streamSid).mark(name);
  }

  /**
   * Writes {@code {"event":"clear","streamSid":..}}.
   *
   * @param streamSid the stream
   * @return the frame
   */
  public static String clear(String streamSid) {
    return new Writer(streamSid).clear();
  }
}
