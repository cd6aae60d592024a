package dev.switchboard.examples.agents;

import dev.switchboard.agent.ultravox.UltravoxClient;
import dev.switchboard.agent.ultravox.model.WebhookSpec;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.testing.twilio.CallerAudio;
import dev.switchboard.testing.twilio.FakeCall;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import dev.switchboard.testing.ultravox.AgentReply;
import dev.switchboard.testing.ultravox.FakeUltravox;
import dev.switchboard.testing.ultravox.FakeUltravoxCall;
import dev.switchboard.voice.twilio.InboundDecision;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link AgentManagementService#main}: wires the real services from the environment, or, without
 * credentials, in-process fakes of Ultravox and Twilio, and runs until Ctrl-C. In fake mode it also
 * plays the callee of every call placed: it connects a {@link TwilioCallSimulator} to the join URL
 * in the call's TwiML, says "hello", listens to the agent, and hangs up. Not API.
 */
final class Launcher {
  private static final String AGENT_NUMBER = "+14155550100";
  // FakeTwilioApi accepts any token; the backend wants a real-looking one (32 hex digits).
  private static final String FAKE_AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final Pattern STREAM_URL = Pattern.compile("<Stream[^>]*\\surl=\"([^\"]+)\"");

  private static final List<String[]> REQUIRED =
      List.of(
          new String[] {"ULTRAVOX_API_KEY", "your Ultravox API key"},
          new String[] {"TWILIO_ACCOUNT_SID", "your Twilio account SID (AC...)"},
          new String[] {"TWILIO_AUTH_TOKEN", "its auth token (32 hex digits)"},
          new String[] {"TWILIO_FROM", "your voice-capable Twilio number, E.164 (+1415...)"},
          new String[] {
            "SWITCHBOARD_PUBLIC_URL", "the https URL that reaches this machine's PORT (a tunnel)"
          });

  private Launcher() {}

  static void run(Map<String, String> env) throws InterruptedException {
    List<String> missing = new ArrayList<>();
    for (String[] variable : REQUIRED) {
      if (env.getOrDefault(variable[0], "").isBlank()) {
        missing.add(variable[0]);
      }
    }
    int port = port(env.getOrDefault("PORT", ""));
    List<AutoCloseable> resources = new ArrayList<>();
    AgentManagementService service;
    try {
      service = missing.isEmpty() ? real(env, port, resources) : fake(missing, port, resources);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping.");
                  closeAll(resources);
                  stopped.countDown();
                },
                "agent-service-shutdown"));
    printUsage(service.baseUrl());
    stopped.await();
  }

  private static AgentManagementService real(
      Map<String, String> env, int port, List<AutoCloseable> resources) {
    UltravoxClient client = UltravoxClient.builder().apiKey(env.get("ULTRAVOX_API_KEY")).build();
    resources.add(client);
    URI publicUrl = URI.create(env.get("SWITCHBOARD_PUBLIC_URL"));
    AgentManagementService.Builder builder =
        AgentManagementService.builder()
            .ultravox(client)
            .httpAddress(new InetSocketAddress(port))
            .publicBaseUrl(publicUrl)
            .twilio(
                url ->
                    TwilioVoiceBackend.builder()
                        .accountSid(env.get("TWILIO_ACCOUNT_SID"))
                        .authToken(env.get("TWILIO_AUTH_TOKEN"))
                        .defaultFrom(env.get("TWILIO_FROM"))
                        .publicBaseUrl(url)
                        .router(call -> InboundDecision.say(INBOUND_MESSAGE))
                        .build());
    String secret = env.getOrDefault("ULTRAVOX_WEBHOOK_SECRET", "");
    if (!secret.isBlank()) {
      builder.ultravoxWebhookSecret(secret);
    }
    AgentManagementService service = builder.build();
    service.start();
    resources.add(0, service);
    System.out.println(
        "Real mode: Ultravox at "
            + client.baseUrl()
            + ", Twilio calls from "
            + env.get("TWILIO_FROM")
            + ", public URL "
            + publicUrl
            + (secret.isBlank()
                ? " (no ULTRAVOX_WEBHOOK_SECRET: Ultravox webhooks not mounted)"
                : " (Ultravox webhooks at " + AgentManagementService.ULTRAVOX_WEBHOOK_PATH + ")"));
    return service;
  }

  private static final String INBOUND_MESSAGE =
      "This number places calls for an agent service and does not take calls. Goodbye.";

  private static AgentManagementService fake(
      List<String> missing, int port, List<AutoCloseable> resources) {
    System.out.println(
        "No credentials ("
            + String.join(", ", missing)
            + " not set): running against in-process fakes of Ultravox and Twilio. Set"
            + " ULTRAVOX_API_KEY, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and"
            + " SWITCHBOARD_PUBLIC_URL (optional ULTRAVOX_WEBHOOK_SECRET, PORT) for the real"
            + " services.");
    FakeUltravox ultravoxFake =
        FakeUltravox.builder()
            .userTranscript("Hello? Who is this?")
            .reply(
                AgentReply.say(
                    "Hi, this is the front desk calling about your appointment tomorrow.",
                    Duration.ofMillis(1500)))
            .build();
    ultravoxFake.start();
    resources.add(ultravoxFake);
    FakeTwilioApi twilioFake = FakeTwilioApi.builder().authToken(FAKE_AUTH_TOKEN).build();
    twilioFake.start();
    resources.add(twilioFake);
    UltravoxClient client =
        UltravoxClient.builder()
            .apiKey(ultravoxFake.apiKey())
            .baseUrl(ultravoxFake.baseUrl())
            .build();
    resources.add(client);
    ExecutorService callee =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fake-callee");
              t.setDaemon(true);
              return t;
            });
    resources.add(
        () -> {
          callee.shutdownNow();
          callee.awaitTermination(5, TimeUnit.SECONDS);
        });
    byte[] secretBytes = new byte[24];
    new SecureRandom().nextBytes(secretBytes);
    String secret = HexFormat.of().formatHex(secretBytes);
    AgentManagementService service =
        AgentManagementService.builder()
            .ultravox(client)
            .httpAddress(new InetSocketAddress("127.0.0.1", port))
            .ultravoxWebhookSecret(secret)
            .twilio(
                url ->
                    TwilioVoiceBackend.builder()
                        .accountSid(twilioFake.accountSid())
                        .authToken(twilioFake.authToken())
                        .defaultFrom(AGENT_NUMBER)
                        .publicBaseUrl(url)
                        .allowInsecureUrls(true)
                        .apiBaseUrl(twilioFake.baseUrl())
                        .router(call -> InboundDecision.say(INBOUND_MESSAGE))
                        .build())
            .callListener(
                event -> {
                  if (event instanceof CallEvent.StateChanged s
                      && s.previous() == null
                      && s.current() == CallState.QUEUED) {
                    callee.execute(() -> playCallee(twilioFake, ultravoxFake, s.callId()));
                  }
                })
            .build();
    service.start();
    resources.add(0, service);
    client.createWebhook(
        WebhookSpec.builder(
                URI.create(service.baseUrl() + AgentManagementService.ULTRAVOX_WEBHOOK_PATH))
            .events(
                WebhookSpec.CALL_STARTED,
                WebhookSpec.CALL_JOINED,
                WebhookSpec.CALL_ENDED,
                WebhookSpec.CALL_BILLED)
            .secret(secret)
            .build());
    System.out.println(
        "Fake Ultravox at "
            + ultravoxFake.baseUrl()
            + ", fake Twilio at "
            + twilioFake.baseUrl()
            + "; every call placed is answered by a simulated callee who says hello,"
            + " listens to the agent and hangs up.");
    return service;
  }

  /** Answers a placed call as the callee would, on the fake's media stream. */
  private static void playCallee(FakeTwilioApi twilio, FakeUltravox ultravox, String callSid) {
    try {
      FakeCall call = twilio.call(callSid);
      Matcher m = STREAM_URL.matcher(call.param("Twiml").orElse(""));
      if (!m.find()) {
        System.out.println("  [callee] " + callSid + ": no <Stream> in the TwiML");
        return;
      }
      URI joinUrl = URI.create(m.group(1).replace("&amp;", "&"));
      twilio.sendStatusCallback(callSid, "ringing");
      twilio.sendStatusCallback(callSid, "in-progress");
      System.out.println("  [callee] " + call.to() + " answers " + callSid);
      // "Hello?" for 0.8 s, then silence while the agent talks.
      double step = 2 * Math.PI * 220 / 8000;
      try (TwilioCallSimulator phone =
          TwilioCallSimulator.builder(joinUrl)
              .callSid(callSid)
              .callerAudio(
                  CallerAudio.generator(
                      i -> i < 6400 ? (short) Math.round(9000 * Math.sin(step * i)) : 0))
              .build()) {
        phone.connect();
        byte[] heard = phone.awaitHeard(Duration.ofMillis(1500), Duration.ofSeconds(15));
        FakeUltravoxCall agentSide =
            ultravox.awaitCall(c -> joinUrl.toString().equals(c.joinUrl()), Duration.ofSeconds(5));
        System.out.println(
            "  [callee] heard "
                + heard.length / 8
                + " ms of the agent; the transcript so far: "
                + agentSide.messages().stream().map(j -> j.path("text").asText()).toList());
        phone.stop();
        agentSide.awaitEnded(Duration.ofSeconds(5));
      }
      twilio.sendStatusCallback(callSid, "completed");
      System.out.println("  [callee] hung up " + callSid);
    } catch (RuntimeException | AssertionError e) {
      System.out.println("  [callee] " + callSid + ": " + e.getMessage());
    }
  }

  private static void printUsage(URI base) {
    String b = base.toString();
    String json = "-H 'Content-Type: application/json'";
    System.out.println();
    System.out.println("Agent-management service on " + b + " (Ctrl-C to stop). Try:");
    System.out.println(
        "  curl -s "
            + b
            + "/agents "
            + json
            + " -d '{\"name\": \"front-desk\", \"prompt\": \"You call {{name}} about their"
            + " appointment on {{day}}.\", \"voice\": \"Mark\", \"temperature\": 0.3}'");
    System.out.println("  curl -s " + b + "/agents?pageSize=10");
    System.out.println("  curl -s " + b + "/agents/<id>");
    System.out.println(
        "  curl -s -X PUT "
            + b
            + "/agents/<id> "
            + json
            + " -d '{\"name\": \"front-desk\", \"prompt\": \"You call {{name}}.\"}'");
    System.out.println(
        "  curl -s "
            + b
            + "/calls/<id> "
            + json
            + " -d '{\"phoneNumber\": \"+14155550123\", \"templateContext\": {\"name\":"
            + " \"Ada\", \"day\": \"Tuesday\"}}'");
    System.out.println("  curl -s -X DELETE -i " + b + "/agents/<id>");
    System.out.println("  curl -s " + b + "/health");
    System.out.println();
  }

  private static int port(String value) {
    if (value.isBlank()) {
      return 8080;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("PORT must be a port number (0-65535), got " + value);
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        System.out.println("  close failed: " + e);
      }
    }
  }
}
