package dev.switchboard.examples;

import dev.switchboard.agent.openai.realtime.OpenAiRealtimeAgentRuntime;
import dev.switchboard.core.agent.AgentEvent;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.bridge.BridgedCall;
import dev.switchboard.core.bridge.VoiceAgentBridge;
import dev.switchboard.core.event.EventBus;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.voice.twilio.InboundDecision;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The phone agent of {@link PhoneAgentDemo} on a real phone line: {@link TwilioVoiceBackend} on
 * {@link SwitchboardServer}, {@link OpenAiRealtimeAgentRuntime} and the {@link VoiceAgentBridge},
 * wired as {@link LocalPhoneAgent} wires them against the fakes. It answers every call to your
 * Twilio number and, if {@code CALL_TO} is set, also calls that number; it prints both sides'
 * transcripts and barge-ins until you press Ctrl-C. Without credentials it explains what to set and
 * exits.
 *
 * <p>Run: {@code mvn -B -q -pl examples -am compile exec:java
 * -Dexample=dev.switchboard.examples.RealPhoneAgent}
 */
public final class RealPhoneAgent {
  private static final List<String[]> VARIABLES =
      List.of(
          new String[] {"OPENAI_API_KEY", "an OpenAI API key with Realtime access (sk-...)"},
          new String[] {"TWILIO_ACCOUNT_SID", "your account SID (AC...), Console → Account info"},
          new String[] {"TWILIO_AUTH_TOKEN", "your auth token (32 hex digits), same page"},
          new String[] {"TWILIO_FROM", "your voice-capable Twilio number, E.164 (+1415...)"},
          new String[] {
            "SWITCHBOARD_PUBLIC_URL",
            "the https URL that reaches this machine's port 8080 (a tunnel or a proxy), with"
                + " /twilio/media routed to port 8081 as a WebSocket"
          });

  private RealPhoneAgent() {}

  /**
   * Runs the agent until the JVM is stopped.
   *
   * @param args unused
   * @throws InterruptedException if interrupted
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
      System.out.println(
          "This example answers real phone calls with an OpenAI Realtime agent. Set:");
      for (String[] variable : VARIABLES) {
        System.out.printf("  %-24s %s%n", variable[0], variable[1]);
      }
      System.out.println(
          "Optional: CALL_TO (E.164) to also place an outbound call to that number;");
      System.out.println(
          "          SWITCHBOARD_MEDIA_URL (wss://...) if the media WebSocket has its own public"
              + " URL; OPENAI_MODEL, OPENAI_VOICE.");
      System.out.println("Missing now: " + String.join(", ", missing));
      System.out.println(
          "Then point your number's \"A call comes in\" webhook at <public URL>/twilio/voice"
              + " (see voice-twilio/README.md). Without credentials, run the local demo instead:"
              + " mvn -B -q -pl examples -am compile exec:java");
      return;
    }

    URI publicUrl = URI.create(env.get("SWITCHBOARD_PUBLIC_URL"));
    EventBus events = EventBus.create();
    long start = System.nanoTime();
    events.subscribe(
        AgentEvent.TranscriptReceived.class,
        e -> {
          if (e.transcript().isFinal()) {
            System.out.printf(
                "[%s] %s %s: %s%n",
                PhoneAgentDemo.seconds(Duration.ofNanos(System.nanoTime() - start)),
                e.callId(),
                e.transcript().speaker() == Speaker.USER ? "caller" : "agent ",
                e.transcript().text());
          }
        });
    events.subscribe(
        CallEvent.class,
        e -> {
          if (e instanceof CallEvent.BargeIn barge) {
            System.out.printf(
                "  BARGE-IN on %s: the agent was cut after %d ms heard%n",
                barge.callId(), barge.heard().toMillis());
          } else if (e instanceof CallEvent.StateChanged changed) {
            System.out.println("  " + changed.callId() + " is " + changed.current());
          }
        });

    OpenAiRealtimeAgentRuntime.Builder runtimeBuilder =
        OpenAiRealtimeAgentRuntime.builder().apiKey(env.get("OPENAI_API_KEY"));
    if (!env.getOrDefault("OPENAI_MODEL", "").isBlank()) {
      runtimeBuilder.model(env.get("OPENAI_MODEL"));
    }
    if (!env.getOrDefault("OPENAI_VOICE", "").isBlank()) {
      runtimeBuilder.voice(env.get("OPENAI_VOICE"));
    }
    OpenAiRealtimeAgentRuntime runtime = runtimeBuilder.build();
    VoiceAgentBridge bridge =
        VoiceAgentBridge.builder()
            .runtime(runtime)
            .sessionOptions(
                SessionOptions.builder(Capability.AUDIO_STREAMING)
                    .instructions(
                        "You answer the phone for a small restaurant and take table bookings."
                            + " Be brief. When the caller is done, say goodbye and call end_call.")
                    .greeting("Hello, you've reached the restaurant. How can I help?")
                    .build())
            .events(events::publish)
            .build();

    TwilioVoiceBackend[] twilioRef = new TwilioVoiceBackend[1];
    Map<String, BridgedCall> bridged = new ConcurrentHashMap<>();
    TwilioVoiceBackend.Builder twilioBuilder =
        TwilioVoiceBackend.builder()
            .accountSid(env.get("TWILIO_ACCOUNT_SID"))
            .authToken(env.get("TWILIO_AUTH_TOKEN"))
            .defaultFrom(env.get("TWILIO_FROM"))
            .publicBaseUrl(publicUrl)
            .router(call -> InboundDecision.accept(Map.of()))
            .streamHandler(
                stream -> {
                  BridgedCall existing = bridged.get(stream.callId());
                  if (existing != null && !existing.done().isDone()) {
                    // DTMF continues a call on a new stream: same agent session.
                    existing.replaceStream(stream);
                    return;
                  }
                  Call call = twilioRef[0].call(stream.callId()).orElse(null);
                  if (call == null) {
                    stream.close();
                    return;
                  }
                  bridge
                      .attach(call, stream)
                      .whenComplete(
                          (bridgedCall, error) -> {
                            if (error != null) {
                              System.out.println(
                                  "  could not bridge " + call.id() + ": " + error.getMessage());
                              return;
                            }
                            bridged.put(call.id(), bridgedCall);
                            bridgedCall
                                .done()
                                .thenRun(
                                    () -> {
                                      bridged.remove(call.id(), bridgedCall);
                                      System.out.println(
                                          "  " + call.id() + " finished: " + bridgedCall.metrics());
                                    });
                          });
                });
    if (!env.getOrDefault("SWITCHBOARD_MEDIA_URL", "").isBlank()) {
      twilioBuilder.mediaUrl(URI.create(env.get("SWITCHBOARD_MEDIA_URL")));
    }
    TwilioVoiceBackend twilio = twilioBuilder.build();
    twilioRef[0] = twilio;
    twilio.addListener(events::publish);

    SwitchboardServer.Builder serverBuilder =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress(8080))
            .webSocketAddress(new InetSocketAddress(8081))
            .inlineWebSocketCallbacks(true) // the media handler never blocks
            .publicBaseUrl(publicUrl)
            .webSocket(twilio.mediaPath(), twilio.mediaHandler())
            .health("twilio", twilio::health)
            .health("openai", runtime::health);
    twilio.webhooks().forEach(serverBuilder::webhook);
    SwitchboardServer server = serverBuilder.build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping: live calls get 10 s to finish.");
                  twilio.stop(Duration.ofSeconds(10)).join();
                  bridge.close();
                  runtime.close();
                  server.stop(Duration.ofSeconds(2));
                  events.shutdown(Duration.ofSeconds(1));
                  stopped.countDown();
                },
                "real-phone-agent-shutdown"));
    server.start();
    twilio.start();
    System.out.println(
        "Answering calls to "
            + env.get("TWILIO_FROM")
            + " (webhook "
            + publicUrl
            + "/twilio/voice). Ctrl-C to stop.");
    String callTo = env.getOrDefault("CALL_TO", "");
    if (!callTo.isBlank()) {
      Call call = twilio.placeCall(CallRequest.builder(callTo).build()).join();
      System.out.println("Calling " + call.to() + " as " + call.id());
    }
    stopped.await();
  }
}
