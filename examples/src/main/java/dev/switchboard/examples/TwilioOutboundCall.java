package dev.switchboard.examples;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.G711;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Places a real phone call through Twilio, plays a short chime to whoever answers, listens for a
 * few seconds (printing the keys they press and how much audio arrived), and hangs up once the
 * chime has played. With no credentials in the environment it explains what to set and exits.
 *
 * <p>Run: {@code mvn -B -q -pl examples -am compile exec:java
 * -Dexample=dev.switchboard.examples.TwilioOutboundCall}
 */
public final class TwilioOutboundCall {
  private static final List<String[]> VARIABLES =
      List.of(
          new String[] {"TWILIO_ACCOUNT_SID", "your account SID (AC...), Console → Account info"},
          new String[] {"TWILIO_AUTH_TOKEN", "your auth token (32 hex digits), same page"},
          new String[] {"TWILIO_FROM", "a voice-capable Twilio number you own, E.164 (+1415...)"},
          new String[] {"CALL_TO", "the number to call, E.164"},
          new String[] {
            "SWITCHBOARD_PUBLIC_URL",
            "the https URL that reaches this machine's port 8080 (a tunnel or a proxy), with"
                + " /twilio/media routed to port 8081 as a WebSocket"
          });

  private TwilioOutboundCall() {}

  /**
   * Runs the example.
   *
   * @param args unused
   * @throws InterruptedException if interrupted while the call runs
   */
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    List<String> missing = new ArrayList<>();
    for (String[] variable : VARIABLES) {
      if (env.getOrDefault(variable[0], "").isBlank()) {
        missing.add(variable[0]);
      }
    }
    if (!missing.isEmpty()) {
      System.out.println("This example places a real phone call through Twilio. Set:");
      for (String[] variable : VARIABLES) {
        System.out.printf("  %-24s %s%n", variable[0], variable[1]);
      }
      System.out.println("Missing now: " + String.join(", ", missing));
      System.out.println(
          "Optional: SWITCHBOARD_MEDIA_URL (wss://...) if the media WebSocket has its own public"
              + " URL. See voice-twilio/README.md for the Twilio console setup.");
      return;
    }

    CountDownLatch done = new CountDownLatch(1);
    int[] audioBytes = new int[1];
    TwilioVoiceBackend.Builder builder =
        TwilioVoiceBackend.builder()
            .accountSid(env.get("TWILIO_ACCOUNT_SID"))
            .authToken(env.get("TWILIO_AUTH_TOKEN"))
            .defaultFrom(env.get("TWILIO_FROM"))
            .publicBaseUrl(URI.create(env.get("SWITCHBOARD_PUBLIC_URL")))
            .streamHandler(stream -> stream.setListener(new Greeter(stream, audioBytes, done)));
    if (!env.getOrDefault("SWITCHBOARD_MEDIA_URL", "").isBlank()) {
      builder.mediaUrl(URI.create(env.get("SWITCHBOARD_MEDIA_URL")));
    }
    TwilioVoiceBackend twilio = builder.build();

    SwitchboardServer.Builder server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress(8080))
            .webSocketAddress(new InetSocketAddress(8081))
            .publicBaseUrl(URI.create(env.get("SWITCHBOARD_PUBLIC_URL")))
            .webSocket(twilio.mediaPath(), twilio.mediaHandler())
            .health("twilio", twilio::health);
    twilio.webhooks().forEach(server::webhook);
    SwitchboardServer host = server.build();
    host.start();
    try {
      twilio.addListener(
          event -> {
            System.out.println("  event: " + event);
            if (event instanceof CallEvent.StateChanged changed && changed.current().isTerminal()) {
              done.countDown();
            }
          });
      twilio.start();
      Call call = twilio.placeCall(CallRequest.builder(env.get("CALL_TO")).build()).join();
      System.out.println("Calling " + call.to() + " from " + call.from() + " as " + call.id());
      if (!done.await(3, TimeUnit.MINUTES)) {
        System.out.println("Still going after 3 minutes; hanging up.");
      }
      call.hangUp().join();
      System.out.printf(
          "Heard %d bytes (%d ms) from the callee.%n", audioBytes[0], audioBytes[0] / 8);
    } finally {
      twilio.stop(Duration.ofSeconds(5)).join();
      host.stop(Duration.ofSeconds(2));
    }
  }

  /** Plays a chime when the stream starts and hangs up once the chime's final mark comes back. */
  private static final class Greeter implements MediaStream.Listener {
    private final MediaStream stream;
    private final int[] audioBytes;
    private final CountDownLatch done;

    Greeter(MediaStream stream, int[] audioBytes, CountDownLatch done) {
      this.stream = stream;
      this.audioBytes = audioBytes;
      this.done = done;
      stream.sendAudio(AudioChunk.wrap(AudioFormat.PCMU_8K, chime()));
      stream.sendMark("chime-played");
    }

    @Override
    public void onAudio(AudioChunk audio) {
      audioBytes[0] += audio.size();
    }

    @Override
    public void onDtmf(String digit) {
      System.out.println("  pressed " + digit);
    }

    @Override
    public void onMark(String name) {
      System.out.println("  mark " + name + ": the chime has played");
      // Let the callee press a key or say something for three seconds, then hang up.
      CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS).execute(done::countDown);
    }

    @Override
    public void onClosed(CloseReason reason) {
      System.out.println("  stream closed: " + reason);
      done.countDown();
    }

    /** Three rising tones, 300 ms each, as 8 kHz μ-law. */
    private static byte[] chime() {
      double[] notes = {523.25, 659.25, 783.99};
      short[] pcm = new short[notes.length * 2400];
      for (int n = 0; n < notes.length; n++) {
        for (int i = 0; i < 2400; i++) {
          double fade = Math.min(1, Math.min(i, 2400 - i) / 240.0);
          pcm[n * 2400 + i] = (short) (9000 * fade * Math.sin(2 * Math.PI * notes[n] * i / 8000.0));
        }
      }
      byte[] ulaw = new byte[pcm.length];
      G711.encodeUlaw(pcm, 0, ulaw, 0, pcm.length);
      return ulaw;
    }
  }
}
