package dev.switchboard.examples;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.Wav;
import dev.switchboard.core.agent.AgentEvent;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.Tool;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.bridge.BridgeMetrics;
import dev.switchboard.core.bridge.BridgedCall;
import dev.switchboard.core.event.SwitchboardEvent;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.testing.openai.Reply;
import dev.switchboard.testing.openai.SessionRecord;
import dev.switchboard.testing.twilio.MarkEcho;
import dev.switchboard.testing.twilio.Pacing;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The main demo: a phone call to an AI agent, entirely on this machine. The real server, Twilio
 * backend, OpenAI Realtime runtime and bridge run as in production ({@link LocalPhoneAgent});
 * Twilio's side is a simulated phone over a real WebSocket, the agent a scripted fake of the OpenAI
 * Realtime service. The caller asks for a table (a recorded voice), interrupts the agent's answer
 * 700 ms in with a correction, the agent stops at once, books the table with a tool, says goodbye
 * and hangs up with {@code end_call} once the goodbye has played.
 *
 * <p>It prints the live transcript of both sides, the barge-in (how much the caller heard and what
 * the agent was told), turn latencies and the time to silence, and writes what the caller heard to
 * {@code target/phone-agent-demo/caller-heard.wav} and what the agent sent to {@code
 * agent-sent.wav}.
 *
 * <p>Run: {@code mvn -B -q -pl examples -am compile exec:java}
 */
public final class PhoneAgentDemo {
  static final String GREETING = "Good evening, Trattoria Switchboard, how can I help?";
  static final String ANSWER =
      "Of course! A table for two tonight at eight. May I have a name for the booking, and would"
          + " you like to sit by the window?";
  static final String GOODBYE = "Done: a table for four tonight at eight. See you then, goodbye!";
  static final String CALLER_1 = "Hi, I'd like to book a table for two tonight at eight.";
  static final String CALLER_2 = "Actually, wait, can you make it four people?";

  /**
   * When the caller starts talking over the answer: the fake's voice detector needs 60 ms of speech
   * (three frames) before it reports it, so the agent is cut about 700 ms in.
   */
  static final Duration INTERRUPT_AFTER = Duration.ofMillis(640);

  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private volatile Instant start = Instant.now();
  private volatile SessionRecord session;

  private PhoneAgentDemo() {}

  /**
   * Runs the demo.
   *
   * @param args optional: the folder for the WAV files (default {@code target/phone-agent-demo})
   * @throws IOException if the WAV files cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/phone-agent-demo");
    new PhoneAgentDemo().run(dir);
  }

  private void run(Path dir) throws IOException {
    System.out.println(
        "Switchboard phone agent demo: SwitchboardServer + TwilioVoiceBackend + VoiceAgentBridge +"
            + " OpenAiRealtimeAgentRuntime,");
    System.out.println(
        "against a simulated phone (Twilio Media Streams) and a scripted fake of the OpenAI"
            + " Realtime API, over real sockets.");
    System.out.println(
        "Times are from the moment the call comes in; a line appears when its transcript is"
            + " final.");
    System.out.println();

    Tool bookTable =
        new Tool(
            ToolDefinition.of(
                "book_table",
                "Books a table.",
                "{\"type\":\"object\",\"properties\":{\"people\":{\"type\":\"integer\"},"
                    + "\"time\":{\"type\":\"string\"}},\"required\":[\"people\",\"time\"]}"),
            call ->
                ToolResult.success(
                    call.id(),
                    "{\"confirmed\":true,\"people\":"
                        + call.arguments().path("people").asInt()
                        + ",\"time\":\""
                        + call.arguments().path("time").asText()
                        + "\",\"reference\":\"TS-0420\"}"));

    LiveCaller caller = new LiveCaller();
    try (LocalPhoneAgent agent =
        LocalPhoneAgent.builder()
            .agent(
                fake ->
                    fake.userTranscript(CALLER_1)
                        .userTranscript(CALLER_2)
                        .reply(Reply.audio(GREETING, Duration.ofMillis(2400)))
                        .reply(Reply.audio(ANSWER, Duration.ofSeconds(3)))
                        .reply(
                            Reply.functionCall("book_table", "{\"people\":4,\"time\":\"20:00\"}"))
                        .reply(Reply.audio(GOODBYE, Duration.ofMillis(2800)))
                        // After end_call's output the runtime asks for one more response; the
                        // scripted model has nothing left to say.
                        .fallbackReply(Reply.audio("", Duration.ofMillis(20))))
            .greeting(GREETING)
            .tool(bookTable)
            .onEvent(this::onEvent)
            .build()) {
      start = Instant.now();
      LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.REALTIME);
      TwilioCallSimulator phone = call.simulator();
      BridgedCall bridged = call.bridged(TIMEOUT);
      print(
          "[%s] call %s from %s answered, agent session open",
          seconds(between(Instant.now())), call.callSid(), LocalPhoneAgent.CALLER_NUMBER);
      SessionRecord session = agent.session(call.callSid(), TIMEOUT);
      this.session = session;

      // The greeting plays; the caller answers once it has.
      awaitResponses(session, 1, TIMEOUT);
      phone.awaitHeard(Duration.ofNanos(agentSent(session).length * 125_000L), TIMEOUT);
      Instant callerSpoke = Instant.now();
      caller.say(LiveCaller.clip("caller-1.wav"));

      // The answer starts playing; 700 ms in, the caller interrupts.
      Duration before = phone.heardDuration();
      phone.awaitHeard(before.plus(INTERRUPT_AFTER), TIMEOUT);
      caller.say(LiveCaller.trimSilence(LiveCaller.clip("caller-2.wav")));
      TwilioCallSimulator.Cleared cleared =
          phone.awaitEvent(TwilioCallSimulator.Cleared.class, c -> true, TIMEOUT);
      var truncate = session.awaitClientEvent("conversation.item.truncate", e -> true, TIMEOUT);
      long heardOfAnswerMs =
          (receivedMediaBytes(phone, callerSpoke, cleared) - cleared.droppedBytes()) / 8;
      BridgeMetrics atBargeIn = bridged.metrics();
      String answerHeard = wordsHeard(ANSWER, heardOfAnswerMs, 3000);
      print(
          "        turn latency %s (caller stopped speaking -> first answer audio sent to the phone)",
          millis(atBargeIn.lastTurnLatency()));
      print(
          "BARGE-IN at %s s: agent cut after %.2f s heard; truncate sent at %d ms; phone cleared"
              + " %s after the agent heard the caller, %.1f s of unplayed answer dropped",
          seconds(between(cleared.at())),
          heardOfAnswerMs / 1000.0,
          truncate.path("audio_end_ms").asLong(),
          millis(atBargeIn.lastTimeToClear()),
          cleared.dropped().toMillis() / 1000.0);
      print("        the caller heard only: \"%s...\"", answerHeard);

      // The correction, the tool, the goodbye; then the agent hangs up.
      // The model follows its goodbye with a call of end_call (a real model does both in one
      // response; the fake makes one item per response, so the script asks for it next).
      awaitResponses(session, 4, TIMEOUT);
      session.startResponse(Reply.functionCall("end_call", "{\"reason\":\"booked\"}"));
      phone.awaitClosedByServer(TIMEOUT);
      byte[] goodbye = audioOf(session, session.responses().get(3).id());
      List<MarkEcho> marks = phone.marks();
      MarkEcho last = marks.isEmpty() ? null : marks.get(marks.size() - 1);
      boolean wholeGoodbye = contains(phone.heard(), goodbye);
      print(
          "[%s] call hung up by the agent (end_call) %s%s",
          seconds(between(Instant.now())),
          wholeGoodbye
              ? "after the goodbye played to its end"
              : "BEFORE the goodbye had played to its end",
          last != null && !last.cleared() ? " (its last mark echoed as played)" : "");
      bridged.done().get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

      BridgeMetrics metrics = bridged.metrics();
      System.out.println();
      System.out.println("Summary");
      System.out.printf(
          "  turn latency (caller stopped speaking -> first agent audio sent to the phone): %s"
              + " for the answer, %s for the goodbye (after the book_table tool)%n",
          millis(atBargeIn.lastTurnLatency()), millis(metrics.lastTurnLatency()));
      System.out.printf(
          "  time to clear after barge-in: %s; barge-ins: %d; tool calls: %d%n",
          millis(metrics.lastTimeToClear()), metrics.bargeIns(), metrics.toolCalls());
      System.out.printf(
          "  frames: %d caller->agent, %d agent->caller, %d dropped (late audio of the interrupted"
              + " answer, audio before the session opened)%n",
          metrics.framesToAgent(), metrics.framesToCaller(), metrics.framesDropped());

      Files.createDirectories(dir);
      byte[] heard = phone.heard();
      Wav.of(AudioFormat.PCMU_8K, heard).write(dir.resolve("caller-heard.wav"));
      byte[] sent = agentSent(session);
      Wav.of(AudioFormat.PCMU_8K, sent).write(dir.resolve("agent-sent.wav"));
      System.out.printf(
          "  the caller heard %.2f s of the agent's %.2f s -> %s (and agent-sent.wav)%n",
          heard.length / 8000.0, sent.length / 8000.0, dir.resolve("caller-heard.wav"));
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  private void onEvent(SwitchboardEvent event) {
    if (event instanceof AgentEvent.TranscriptReceived t
        && t.transcript().isFinal()
        && !t.transcript().text().isBlank()) {
      boolean agent = t.transcript().speaker() == Speaker.AGENT;
      String item = t.transcript().itemId();
      print(
          "[%s] %s %s%s",
          seconds(between(t.timestamp())),
          agent ? "agent: " : "caller:",
          t.transcript().text(),
          agent && cut(item) ? " [cut off]" : "");
    } else if (event instanceof AgentEvent.ToolCalled tool) {
      print(
          "[%s] tool %s %s in %d ms",
          seconds(between(tool.timestamp())),
          tool.toolName(),
          tool.succeeded() ? "succeeded" : "FAILED",
          tool.took().toMillis());
    } else if (event instanceof CallEvent.StateChanged changed) {
      if (changed.current().isTerminal()) {
        print("[%s] call %s", seconds(between(changed.timestamp())), changed.current());
      }
    }
  }

  private synchronized void print(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }

  private Duration between(Instant at) {
    Duration d = Duration.between(start, at);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Whether the fake agent's response that produced this item was cut by the caller. */
  private boolean cut(String itemId) {
    SessionRecord current = session;
    if (current == null || itemId == null) {
      return false;
    }
    for (SessionRecord.ResponseRecord response : current.responses()) {
      if (response.itemId().equals(itemId) && response.status().equals("cancelled")) {
        return true;
      }
    }
    return false;
  }

  static String millis(Duration d) {
    return d == null ? "n/a" : d.toMillis() + " ms";
  }

  /** The words of a transcript spoken in the first {@code heardMs} of {@code totalMs}. */
  static String wordsHeard(String transcript, long heardMs, long totalMs) {
    String[] words = transcript.split(" ");
    int n =
        (int)
            Math.max(
                0, Math.min(words.length, Math.round(words.length * heardMs / (double) totalMs)));
    return String.join(" ", java.util.Arrays.asList(words).subList(0, n));
  }

  /** Seconds as {@code 04.21}. */
  static String seconds(Duration d) {
    long ms = d.toMillis();
    return String.format(Locale.ROOT, "%02d.%02d", ms / 1000, ms % 1000 / 10);
  }

  /** Waits until the fake has created at least {@code n} responses and the last one is over. */
  static void awaitResponses(SessionRecord session, int n, Duration timeout) {
    session.awaitServerEvent(
        "response.done", e -> session.serverEvents("response.done").size() >= n, timeout);
  }

  /**
   * Waits until everything the phone has received so far has played.
   *
   * @return how many bytes that was
   */
  static long awaitQuiet(TwilioCallSimulator phone, Duration timeout) {
    long received = 0;
    for (TwilioCallSimulator.Received r : phone.events(TwilioCallSimulator.Received.class)) {
      received += mediaBytes(r.json());
    }
    phone.awaitHeard(Duration.ofNanos(received * 125_000L), timeout);
    return received;
  }

  /**
   * The μ-law bytes of the {@code media} messages the phone received after {@code since} and before
   * the event {@code until}.
   */
  static long receivedMediaBytes(
      TwilioCallSimulator phone, Instant since, TwilioCallSimulator.Event until) {
    long bytes = 0;
    for (TwilioCallSimulator.Event e : phone.events()) {
      if (e == until) {
        break;
      }
      if (e instanceof TwilioCallSimulator.Received r && r.at().isAfter(since)) {
        bytes += mediaBytes(r.json());
      }
    }
    return bytes;
  }

  static int mediaBytes(String json) {
    int at = json.indexOf("\"payload\":\"");
    if (!json.contains("\"event\":\"media\"") || at < 0) {
      return 0;
    }
    int start = at + 11;
    int end = json.indexOf('"', start);
    return Base64.getDecoder().decode(json.substring(start, end)).length;
  }

  /** The audio the fake agent sent for one response. */
  static byte[] audioOf(SessionRecord session, String responseId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (var delta : session.serverEvents("response.output_audio.delta")) {
      if (delta.path("response_id").asText().equals(responseId)) {
        out.writeBytes(Base64.getDecoder().decode(delta.path("delta").asText()));
      }
    }
    return out.toByteArray();
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Every audio delta the fake agent sent, in order. */
  static byte[] agentSent(SessionRecord session) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (var delta : session.serverEvents("response.output_audio.delta")) {
      out.writeBytes(Base64.getDecoder().decode(delta.path("delta").asText()));
    }
    return out.toByteArray();
  }
}
