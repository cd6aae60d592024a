package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.codec.AudioFormat;
import java.net.Socket;
import java.util.Base64;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The {@code twilio} medium: the fake is the Media Streams endpoint Twilio connects to. Playback is
 * tracked with marks: {@code uv:<ordinal>:<ms>} after every 100 ms of audio and at the end of each
 * utterance; an echo (not caused by a clear) means that much of the utterance has played.
 */
final class TwilioStreamSession extends CallSession {
  private static final int FRAMES_PER_MARK = 5;
  private static final long LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(60);
  private static final long DTMF_BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final long PLAYED_OUT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  // Confined to the scheduler thread.
  private @Nullable String streamSid;
  private int framesSinceMark;
  private @Nullable Runnable playedOut;
  private final StringBuilder digits = new StringBuilder();
  private @Nullable ScheduledFuture<?> digitFlush;

  TwilioStreamSession(FakeUltravox fake, FakeUltravoxCall call, @Nullable Socket rawSocket) {
    super(fake, call, rawSocket);
  }

  @Override
  AudioFormat inputFormat() {
    return AudioFormat.PCMU_8K;
  }

  @Override
  AudioFormat outputFormat() {
    return AudioFormat.PCMU_8K;
  }

  @Override
  long leadNanos() {
    return LEAD_NANOS;
  }

  @Override
  String typeField() {
    return "event";
  }

  @Override
  void onJoined() {
    // the conversation starts with Twilio's start message
  }

  @Override
  void onText(FakeUltravoxCall.DataMessage received) {
    JsonNode json = received.json();
    if (!json.isObject()) {
      protocolError("not a JSON object", ServerWebSocketSession.excerpt(received.raw()));
      return;
    }
    switch (received.type()) {
      case "connected" -> {
        // nothing to do
      }
      case "start" -> start(json);
      case "media" -> media(json);
      case "mark" -> mark(json.path("mark").path("name").asText(""));
      case "dtmf" -> dtmf(json);
      case "stop" -> end("hangup", true);
      case "" ->
          protocolError(
              "a message without an event", ServerWebSocketSession.excerpt(received.raw()));
      default -> protocolError("unknown Media Streams event " + received.type());
    }
  }

  private void start(JsonNode json) {
    if (streamSid != null) {
      protocolError("a second start message");
      return;
    }
    JsonNode start = json.path("start");
    String sid = start.path("streamSid").asText(json.path("streamSid").asText(""));
    if (sid.isBlank()) {
      protocolError("start without a streamSid");
      return;
    }
    JsonNode format = start.path("mediaFormat");
    if (!format.path("encoding").asText("").equals("audio/x-mulaw")
        || format.path("sampleRate").asInt() != 8000
        || format.path("channels").asInt(1) != 1) {
      protocolError("start.mediaFormat is not audio/x-mulaw 8000 Hz mono: " + format);
    }
    streamSid = sid;
    call.twilioStart(json);
    begin();
  }

  private void media(JsonNode json) {
    if (streamSid == null) {
      protocolError("media before start");
      return;
    }
    JsonNode media = json.path("media");
    if (!media.path("track").asText("inbound").equals("inbound")) {
      return;
    }
    byte[] ulaw;
    try {
      ulaw = Base64.getDecoder().decode(media.path("payload").asText(""));
    } catch (IllegalArgumentException e) {
      protocolError("media payload is not base64: " + e.getMessage());
      return;
    }
    userAudio(ulaw);
  }

  private void mark(String name) {
    String[] parts = name.split(":");
    if (parts.length != 3 || !parts[0].equals("uv")) {
      protocolError("an echo of a mark the fake never sent: " + name);
      return;
    }
    Utterance u;
    long ms;
    try {
      u = utterances.get(Integer.parseInt(parts[1]));
      ms = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      protocolError("an echo of a mark the fake never sent: " + name);
      return;
    }
    if (u == null || u.cleared) {
      return; // echoed because of a clear: not played
    }
    u.playedMillis = Math.max(u.playedMillis, ms);
    Runnable action = playedOut;
    if (action != null && u == last && !playing(u, System.nanoTime())) {
      playedOut = null;
      action.run();
    }
  }

  private void dtmf(JsonNode json) {
    String digit = json.path("dtmf").path("digit").asText("");
    if (digit.isEmpty()) {
      protocolError("dtmf without a digit");
      return;
    }
    digits.append(digit);
    ScheduledFuture<?> pending = digitFlush;
    if (pending != null) {
      pending.cancel(false);
    }
    digitFlush =
        fake.schedule(
            () -> {
              if (isOpen() && digits.length() > 0) {
                String batch = digits.toString();
                digits.setLength(0);
                userTurn(batch, "text");
              }
            },
            DTMF_BATCH_NANOS,
            TimeUnit.NANOSECONDS);
  }

  @Override
  void onBinary(byte[] bytes) {
    protocolError("a binary frame of " + bytes.length + " bytes; Twilio sends JSON text only");
  }

  @Override
  void sendAudio(Utterance u, byte[] chunk) {
    String sid = streamSid;
    if (sid == null) {
      return;
    }
    ObjectNode media =
        FakeUltravox.JSON.createObjectNode().put("event", "media").put("streamSid", sid);
    media.putObject("media").put("payload", Base64.getEncoder().encodeToString(chunk));
    sendMedia(media);
    framesSinceMark++;
    if (framesSinceMark >= FRAMES_PER_MARK || u.offset >= u.audio.length) {
      framesSinceMark = 0;
      ObjectNode mark =
          FakeUltravox.JSON.createObjectNode().put("event", "mark").put("streamSid", sid);
      long ms = u.offset >= u.audio.length ? u.totalNanos / 1_000_000 : u.sentNanos() / 1_000_000;
      mark.putObject("mark").put("name", "uv:" + u.ordinal + ":" + ms);
      sendText(mark);
    }
  }

  @Override
  void sendClear() {
    String sid = streamSid;
    if (sid != null) {
      sendText(FakeUltravox.JSON.createObjectNode().put("event", "clear").put("streamSid", sid));
    }
    framesSinceMark = 0;
  }

  @Override
  long playedNanos(Utterance u, long now) {
    return TimeUnit.MILLISECONDS.toNanos(u.playedMillis);
  }

  @Override
  boolean playing(Utterance u, long now) {
    return !u.cleared && u.playedMillis < u.totalNanos / 1_000_000;
  }

  @Override
  void whenPlayedOut(Runnable action) {
    Utterance u = last;
    long now = System.nanoTime();
    if (u == null || !playing(u, now)) {
      action.run();
      return;
    }
    playedOut = action;
    long left = u.startNanos + u.totalNanos - now;
    timer(
        () -> {
          if (playedOut == action) {
            playedOut = null;
            action.run();
          }
        },
        left + PLAYED_OUT_GRACE_NANOS);
  }

  @Override
  boolean supportsClientTools() {
    return false;
  }
}
