package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.webhook.WebSocketChannel;
import dev.switchboard.core.webhook.WebSocketHandler;
import dev.switchboard.core.webhook.WebSocketListener;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.testing.Recorder;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A media endpoint for the simulator's tests: records every text frame the simulator sends and the
 * close, and sends what a test scripts. One connection.
 */
final class ScriptedMediaEndpoint implements WebSocketHandler {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A close the endpoint saw. */
  record Close(int code, String reason) {}

  final Recorder<String> frames = new Recorder<>();
  final CompletableFuture<WebSocketChannel> channel = new CompletableFuture<>();
  final CompletableFuture<WebhookRequest> upgrade = new CompletableFuture<>();
  final CompletableFuture<Close> closed = new CompletableFuture<>();

  @Override
  public WebSocketListener onOpen(WebSocketChannel channel, WebhookRequest upgrade) {
    this.upgrade.complete(upgrade);
    this.channel.complete(channel);
    return new WebSocketListener() {
      @Override
      public void onText(String text) {
        frames.accept(text);
      }

      @Override
      public void onClose(int code, String reason) {
        closed.complete(new Close(code, reason));
      }
    };
  }

  static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean isEvent(String text, String event) {
    try {
      return event.equals(JSON.readTree(text).path("event").asText());
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  /** Waits for the first message of an event. */
  JsonNode await(String event, Duration timeout) {
    return parse(frames.await(String.class, text -> isEvent(text, event), timeout));
  }

  /** Waits until {@code count} messages of an event have arrived; returns them all. */
  List<JsonNode> awaitCount(String event, int count, Duration timeout) {
    List<String> all =
        frames.awaitAll(
            texts -> texts.stream().filter(t -> isEvent(t, event)).count() >= count,
            count + " " + event + " messages",
            timeout);
    List<JsonNode> matching = new ArrayList<>();
    for (String text : all) {
      if (isEvent(text, event)) {
        matching.add(parse(text));
      }
    }
    return matching;
  }

  /** Returns every message received so far, parsed, skipping frames that are not JSON. */
  List<JsonNode> messages() {
    List<JsonNode> parsed = new ArrayList<>();
    for (String text : frames.all()) {
      try {
        parsed.add(JSON.readTree(text));
      } catch (JsonProcessingException e) {
        // not JSON: sendRaw's business
      }
    }
    return parsed;
  }

  WebSocketChannel channel() {
    try {
      return channel.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the simulator never connected", e);
    }
  }

  void send(String text) {
    assertThat(channel().send(text)).as("endpoint send of %s", text).isTrue();
  }

  void sendMedia(String streamSid, byte[] ulaw) {
    ObjectNode message = JSON.createObjectNode();
    message.put("event", "media");
    message.put("streamSid", streamSid);
    message.putObject("media").put("payload", Base64.getEncoder().encodeToString(ulaw));
    send(message.toString());
  }

  void sendMark(String streamSid, String name) {
    ObjectNode message = JSON.createObjectNode();
    message.put("event", "mark");
    message.put("streamSid", streamSid);
    message.putObject("mark").put("name", name);
    send(message.toString());
  }

  void sendClear(String streamSid) {
    ObjectNode message = JSON.createObjectNode();
    message.put("event", "clear");
    message.put("streamSid", streamSid);
    send(message.toString());
  }

  Close awaitClosed(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the endpoint's connection did not close within " + timeout, e);
    }
  }
}
