package dev.switchboard.core.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.agent.AgentEvent;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.Tool;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import dev.switchboard.core.bridge.ScriptedAgentRuntime.ScriptedSession;
import dev.switchboard.core.event.SwitchboardEvent;
import dev.switchboard.core.store.InMemoryCallStore;
import dev.switchboard.core.store.InMemoryTranscriptStore;
import dev.switchboard.core.testsupport.MutableClock;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VoiceAgentBridgeTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final QueueExecutor executor = new QueueExecutor();
  private final ScriptedAgentRuntime runtime = new ScriptedAgentRuntime();
  private final FakeCall call = new FakeCall();
  private final ScriptedMediaStream stream =
      new ScriptedMediaStream("MZ1", AudioFormat.PCMU_8K, clock);
  private final List<SwitchboardEvent> events = new CopyOnWriteArrayList<>();
  private VoiceAgentBridge bridge;

  private VoiceAgentBridge.Builder builder() {
    return VoiceAgentBridge.builder()
        .runtime(runtime)
        .clock(clock)
        .scheduler(scheduler)
        .toolExecutor(executor)
        .events(events::add);
  }

  private BridgedCall attach(VoiceAgentBridge.Builder b) {
    bridge = b.build();
    return bridge.attach(call, stream).join();
  }

  @AfterEach
  void closeBridge() {
    if (bridge != null) {
      bridge.close();
    }
  }

  private <T> List<T> eventsOf(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static long ms(Duration d) {
    return d.toMillis();
  }

  // ---------------------------------------------------------------- audio

  @Test
  void passThroughForwardsTheSameChunksBothWaysWithAMarkAfterEach() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    assertThat(session.options.audioFormat()).isEqualTo(AudioFormat.PCMU_8K);
    assertThat(session.options.callId()).isEqualTo("CA1");
    assertThat(session.options.tools())
        .extracting(ToolDefinition::name)
        .contains("end_call", "send_dtmf")
        .doesNotContain("transfer_call");

    AudioChunk in = AudioChunk.ofBase64(AudioFormat.PCMU_8K, "/////w==");
    stream.callerSays(in);
    assertThat(session.audio).hasSize(1);
    assertThat(session.audio.get(0)).isSameAs(in);

    AudioChunk a = session.speak("r1", "i1", 20);
    AudioChunk b = session.speak("r1", "i1", 20);
    assertThat(stream.sent).hasSize(4);
    assertThat(stream.sent.get(0)).isSameAs(a);
    assertThat(stream.sent.get(1)).isEqualTo("mark:" + stream.marks.get(0));
    assertThat(stream.sent.get(2)).isSameAs(b);
    assertThat(stream.marks).hasSize(2).doesNotHaveDuplicates();
    assertThat(bridged.metrics().framesToAgent()).isEqualTo(1);
    assertThat(bridged.metrics().framesToCaller()).isEqualTo(2);
  }

  @Test
  void transcodesBetweenMuLawStreamAndPcm16Session() {
    runtime.sessionFormat = AudioFormat.PCM16_24K;
    attach(builder());
    ScriptedSession session = runtime.session();
    int total = 0;
    for (int i = 0; i < 10; i++) {
      stream.callerSays(AudioChunk.wrap(AudioFormat.PCMU_8K, new byte[160]));
    }
    for (AudioChunk c : session.audio) {
      assertThat(c.format()).isEqualTo(AudioFormat.PCM16_24K);
      total += c.size();
    }
    assertThat(total).isBetween(9600 - 200, 9600); // 200 ms at 24 kHz, less the filter delay

    session.speak("r1", "i1", 20);
    assertThat(stream.audio).hasSize(1);
    assertThat(stream.audio.get(0).format()).isEqualTo(AudioFormat.PCMU_8K);
    assertThat(stream.audio.get(0).size()).isBetween(140, 160);
    assertThat(stream.marks).hasSize(1);
  }

  @Test
  void callerAudioBeforeTheSessionOrAfterTheEndIsDropped() {
    BridgedCall bridged = attach(builder());
    bridged.close().join();
    stream.callerSays(AudioChunk.wrap(AudioFormat.PCMU_8K, new byte[160]));
    assertThat(runtime.session().audio).isEmpty();
  }

  // ---------------------------------------------------------------- barge-in

  @Test
  void bargeInMidAnswerClearsAtOnceAndTruncatesAtWhatWasHeard() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 3000, 100); // streamed faster than real time
    assertThat(stream.marks).hasSize(30);

    stream.play(Duration.ofMillis(700)); // the caller hears 700 ms, 7 marks echo
    session.listener.onUserSpeechStarted();

    assertThat(stream.sent.get(stream.sent.size() - 1)).isEqualTo("clear");
    assertThat(session.truncations).hasSize(1);
    assertThat(session.truncations.get(0).itemId()).isEqualTo("i1");
    assertThat(ms(session.truncations.get(0).heard()))
        .isCloseTo(700, org.assertj.core.data.Offset.offset(20L));
    assertThat(session.cancels.get()).isEqualTo(1);
    assertThat(eventsOf(CallEvent.BargeIn.class))
        .singleElement()
        .satisfies(
            e ->
                assertThat(ms(e.heard())).isCloseTo(700, org.assertj.core.data.Offset.offset(20L)));

    // Marks echoed because of the clear are not "played"; late deltas of r1 are dropped.
    stream.deliverClearEchoes();
    int sentBefore = stream.audio.size();
    session.speak("r1", "i1", 100);
    assertThat(stream.audio).hasSize(sentBefore);
    assertThat(bridged.metrics().framesDropped()).isEqualTo(1);
    assertThat(bridged.metrics().bargeIns()).isEqualTo(1);
    assertThat(bridged.metrics().lastTimeToClear()).isNotNull();

    // The next response plays in a new generation.
    session.speak("r2", "i2", 100);
    assertThat(stream.audio).hasSize(sentBefore + 1);
    assertThat(stream.marks.get(stream.marks.size() - 1)).isEqualTo("g1-s0");
  }

  @Test
  void bargeInBetweenMarksInterpolatesWithinTheChunkBeingPlayed() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 3000, 100);
    stream.play(Duration.ofMillis(743)); // 7 marks echoed, 43 ms into the eighth chunk
    session.listener.onUserSpeechStarted();
    long heard = ms(session.truncations.get(0).heard());
    assertThat(heard).isCloseTo(stream.playedUs / 1000, org.assertj.core.data.Offset.offset(1L));
  }

  @Test
  void clearedMarkEchoesDoNotCountAsPlayed() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 1000, 100);
    stream.play(Duration.ofMillis(300));
    session.listener.onUserSpeechStarted();
    stream.deliverClearEchoes();
    // A new answer: the old names (g0-…) must not advance its ledger.
    session.speakFor("r2", "i2", 1000, 100);
    for (String old : List.of("g0-s9", "g0-s5")) {
      stream.listener().onMark(old);
    }
    clock.advance(Duration.ofMillis(1));
    session.listener.onUserSpeechStarted();
    assertThat(session.truncations.get(1).itemId()).isEqualTo("i2");
    assertThat(ms(session.truncations.get(1).heard())).isEqualTo(20); // one frame, not 1000
  }

  @Test
  void bargeInAfterTheResponseIsDoneStillClearsThePhone() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 1000, 100);
    session.listener.onResponseDone("r1");
    stream.play(Duration.ofMillis(400));
    session.listener.onUserSpeechStarted();
    assertThat(stream.clears).isEqualTo(1);
    assertThat(ms(session.truncations.get(0).heard()))
        .isCloseTo(400, org.assertj.core.data.Offset.offset(20L));
    assertThat(session.cancels.get()).isZero(); // nothing to cancel
  }

  @Test
  void interruptionBeforeTheFirstMarkCreditsAtLeastOneFrame() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.speak("r1", "i1", 100);
    session.speak("r1", "i2", 100); // a second item, queued behind the first
    session.listener.onUserSpeechStarted(); // at once: the phone has just started the first chunk
    assertThat(stream.clears).isEqualTo(1);
    assertThat(session.truncations)
        .containsExactly(
            new ScriptedAgentRuntime.Truncation("i1", Duration.ofMillis(20)),
            new ScriptedAgentRuntime.Truncation("i2", Duration.ZERO));
  }

  @Test
  void interruptionBeforeTheFirstMarkUsesTheElapsedPlayback() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.speak("r1", "i1", 100);
    stream.play(Duration.ofMillis(60)); // no mark echoed yet
    session.listener.onUserSpeechStarted();
    assertThat(ms(session.truncations.get(0).heard())).isEqualTo(60);
  }

  @Test
  void noBargeInWhenNothingIsPlaying() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    session.listener.onUserSpeechStarted();
    session.speakFor("r1", "i1", 200, 100);
    session.listener.onResponseDone("r1");
    stream.playAll();
    session.listener.onUserSpeechStarted();
    assertThat(stream.clears).isZero();
    assertThat(session.truncations).isEmpty();
    assertThat(session.cancels.get()).isZero();
    assertThat(eventsOf(CallEvent.BargeIn.class)).isEmpty();
    assertThat(bridged.metrics().bargeIns()).isZero();
  }

  @Test
  void aSlowToolsOneMomentClipIsClearedByABargeInToo() {
    Tool slow =
        new Tool(
            ToolDefinition.of("slow", "s", "{\"type\":\"object\"}"),
            c -> ToolResult.success(c.id(), "{}"));
    attach(builder().tools(List.of(slow)));
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "slow", "{}"));
    scheduler.advance(Duration.ofMillis(1500));
    assertThat(stream.audio).isNotEmpty();
    stream.play(Duration.ofMillis(200));
    session.listener.onUserSpeechStarted();
    assertThat(stream.clears).isEqualTo(1);
    assertThat(session.truncations).isEmpty(); // a local clip is not the agent's item
  }

  // ---------------------------------------------------------------- built-in tools

  @Test
  void endCallHangsUpOnceTheGoodbyeHasPlayedAndNoFollowUpStarted() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 500, 100); // the goodbye, then end_call in the same response
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{\"reason\":\"done\"}"));
    assertThat(session.toolResults)
        .singleElement()
        .satisfies(r -> assertThat(r.isError()).isFalse());
    session.listener.onResponseDone("r1");
    stream.play(Duration.ofMillis(300));
    scheduler.advance(Duration.ofSeconds(2)); // the goodbye is still playing: no settling yet
    assertThat(call.hangUps.get()).isZero();
    stream.play(Duration.ofMillis(200)); // its last mark echoes: the settle window opens
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(999));
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(session.closes.get()).isEqualTo(1);
    assertThat(bridged.done()).isCompleted();
    assertThat(scheduler.pending()).isZero();
    assertThat(bridge.activeCalls()).isZero();
  }

  @Test
  void endCallWaitsForAGoodbyeInTheFollowUpResponse() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    // end_call first; answering it makes the runtime ask for a follow-up: the goodbye.
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{}"));
    session.listener.onResponseDone("r1");
    scheduler.advance(Duration.ofMillis(400));
    assertThat(call.hangUps.get()).isZero();

    session.speakFor("r2", "i2", 1000, 100);
    scheduler.advance(Duration.ofMillis(700)); // past the first window: it was called off
    assertThat(call.hangUps.get()).isZero();
    session.listener.onResponseDone("r2");
    stream.play(Duration.ofMillis(999));
    scheduler.advance(Duration.ofSeconds(2)); // the goodbye's last mark has not echoed
    assertThat(call.hangUps.get()).isZero();

    stream.play(Duration.ofMillis(1)); // the last mark echoes: settle again
    assertThat(stream.marks).hasSize(10);
    scheduler.advance(Duration.ofMillis(999));
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(stream.clears).isZero();
    assertThat(bridged.done()).isCompleted();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void endCallWithoutAFollowUpHangsUpAfterTheSettleWindow() {
    attach(builder().endCallSettle(Duration.ofMillis(600)));
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{}"));
    scheduler.advance(Duration.ofSeconds(3)); // the response is not done: no window yet
    assertThat(call.hangUps.get()).isZero();
    session.listener.onResponseDone("r1");
    scheduler.advance(Duration.ofMillis(599));
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aFollowUpResponseWithoutAudioOpensANewSettleWindow() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{}"));
    session.listener.onResponseDone("r1");
    scheduler.advance(Duration.ofMillis(800));
    session.listener.onResponseDone("r2"); // a response ran (text only) within the window
    scheduler.advance(Duration.ofMillis(999));
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void endCallHangsUpAtTheTimeoutIfTheLastMarkNeverComes() {
    attach(builder().endCallTimeout(Duration.ofSeconds(5)));
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 500, 100);
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{}"));
    session.listener.onResponseDone("r1");
    scheduler.advance(Duration.ofMillis(4999));
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void theEndCallTimeoutBoundsFollowUpsAndSettleWindows() {
    attach(builder().endCallTimeout(Duration.ofSeconds(3)));
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{}"));
    session.listener.onResponseDone("r1");
    for (int i = 2; i <= 4; i++) { // follow-ups keep coming, each just inside the window
      scheduler.advance(Duration.ofMillis(900));
      session.listener.onResponseDone("r" + i);
    }
    scheduler.advance(Duration.ofMillis(299));
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(1)); // 3 s after end_call, a window still open
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void theEndCallTimeoutBoundsAFollowUpGoodbyeThatNeverFinishesPlaying() {
    attach(builder().endCallTimeout(Duration.ofSeconds(3)));
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{}"));
    session.listener.onResponseDone("r1");
    scheduler.advance(Duration.ofMillis(500));
    session.speakFor("r2", "i2", 800, 100);
    session.listener.onResponseDone("r2");
    stream.play(Duration.ofMillis(400)); // the phone stops confirming halfway
    scheduler.advance(Duration.ofMillis(2099));
    assertThat(call.hangUps.get()).isZero();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void endCallSettleMustBePositive() {
    assertThatThrownBy(() -> VoiceAgentBridge.builder().endCallSettle(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endCallSettle");
  }

  @Test
  void transferGoesOnlyToAnAllowedTargetAfterTheWordsHavePlayed() {
    TransferTarget sales = TransferTarget.phoneNumber("+14155550123");
    attach(builder().transferTarget("sales", sales));
    ScriptedSession session = runtime.session();
    assertThat(session.options.tools()).extracting(ToolDefinition::name).contains("transfer_call");

    session.listener.onToolCall(
        ToolCall.of("c1", "transfer_call", "{\"target\":\"+19995550000\"}"));
    assertThat(session.toolResults.get(0).isError()).isTrue();
    assertThat(call.transfers).isEmpty();

    session.speakFor("r1", "i1", 200, 100);
    session.listener.onToolCall(ToolCall.of("c2", "transfer_call", "{\"target\":\"sales\"}"));
    assertThat(session.toolResults.get(1).isError()).isFalse();
    session.listener.onResponseDone("r1");
    assertThat(call.transfers).isEmpty();
    stream.play(Duration.ofMillis(200));
    assertThat(call.transfers).isEmpty(); // played: the settle window is open
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(call.transfers).containsExactly(sales);
    assertThat(eventsOf(AgentEvent.ToolCalled.class))
        .extracting(AgentEvent.ToolCalled::succeeded)
        .containsExactly(false, true);
  }

  @Test
  void dtmfIsSentAndTheCallContinuesOnTheNewStream() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "send_dtmf", "{\"digits\":\"12#\"}"));
    assertThat(call.dtmf).containsExactly("12#");
    assertThat(session.toolResults.get(0).isError()).isFalse();

    stream.closeFromRemote(CloseReason.of(CloseReason.Code.REMOTE, "dtmf"));
    assertThat(session.closes.get()).isZero();
    ScriptedMediaStream next = new ScriptedMediaStream("MZ2", AudioFormat.PCMU_8K, clock);
    bridged.replaceStream(next);
    assertThat(scheduler.pending()).isZero();

    session.speak("r1", "i1", 100);
    assertThat(next.audio).hasSize(1);
    assertThat(next.marks).hasSize(1);
    AudioChunk in = AudioChunk.wrap(AudioFormat.PCMU_8K, new byte[160]);
    next.callerSays(in);
    assertThat(session.audio).containsExactly(in);

    session.listener.onToolCall(ToolCall.of("c2", "send_dtmf", "{\"digits\":\"rm -rf\"}"));
    assertThat(session.toolResults.get(1).isError()).isTrue();
  }

  @Test
  void replaceStreamResetsPlaybackAndDetachesTheOldStream() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 500, 100);
    ScriptedMediaStream next = new ScriptedMediaStream("MZ2", AudioFormat.PCMU_8K, clock);
    bridged.replaceStream(next);
    assertThat(stream.listener()).isSameAs(MediaStream.Listener.NONE);
    session.listener.onUserSpeechStarted(); // nothing was sent on the new stream
    assertThat(next.clears).isZero();
    assertThat(stream.clears).isZero();
  }

  // ---------------------------------------------------------------- user tools

  private static Tool tool(String name, dev.switchboard.core.agent.ToolHandler handler) {
    return new Tool(ToolDefinition.of(name, "test tool", "{\"type\":\"object\"}"), handler);
  }

  @Test
  void userToolRunsOffTheCallbackThreadAndItsResultGoesBack() {
    attach(
        builder()
            .tools(List.of(tool("lookup", c -> ToolResult.success("other-id", "{\"ok\":1}")))));
    ScriptedSession session = runtime.session();
    assertThat(session.options.tools()).extracting(ToolDefinition::name).contains("lookup");
    session.listener.onToolCall(ToolCall.of("c1", "lookup", "{}"));
    assertThat(session.toolResults).isEmpty();
    executor.runAll();
    assertThat(session.toolResults).containsExactly(ToolResult.success("c1", "{\"ok\":1}"));
    assertThat(eventsOf(AgentEvent.ToolCalled.class))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.toolName()).isEqualTo("lookup");
              assertThat(e.succeeded()).isTrue();
            });
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void userToolFailureBecomesAnErrorResultNamingTheException() {
    attach(
        builder()
            .tools(
                List.of(
                    tool(
                        "boom",
                        c -> {
                          throw new IllegalStateException("secret details");
                        }))));
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "boom", "{}"));
    executor.runAll();
    ToolResult r = session.toolResults.get(0);
    assertThat(r.isError()).isTrue();
    assertThat(r.output()).contains("java.lang.IllegalStateException").doesNotContain("secret");
  }

  @Test
  void userToolTimesOutAndItsLateResultIsIgnored() {
    attach(builder().tools(List.of(tool("slow", c -> ToolResult.success(c.id(), "{}")))));
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "slow", "{}"));
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(session.toolResults)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.isError()).isTrue();
              assertThat(r.output()).contains("timed out");
            });
    executor.runAll(); // cancelled: nothing more
    assertThat(session.toolResults).hasSize(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aSlowToolMakesTheCallerHearOneMoment() {
    attach(builder().tools(List.of(tool("slow", c -> ToolResult.success(c.id(), "{}")))));
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "slow", "{}"));
    scheduler.advance(Duration.ofMillis(1499));
    assertThat(stream.audio).isEmpty();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(stream.audio).isNotEmpty();
    assertThat(stream.marks).hasSameSizeAs(stream.audio);
    executor.runAll();
    assertThat(session.toolResults)
        .singleElement()
        .satisfies(r -> assertThat(r.isError()).isFalse());
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void unknownToolGetsAnErrorResult() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "nope", "{}"));
    assertThat(session.toolResults.get(0).isError()).isTrue();
    assertThat(session.toolResults.get(0).output()).contains("unknown tool");
  }

  @Test
  void userToolsRunOnTheBridgesOwnPoolByDefault() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    String[] thread = new String[1];
    bridge =
        VoiceAgentBridge.builder()
            .runtime(runtime)
            .clock(clock)
            .tools(
                List.of(
                    tool(
                        "t",
                        c -> {
                          thread[0] = Thread.currentThread().getName();
                          ran.countDown();
                          return ToolResult.success(c.id(), "{}");
                        })))
            .build();
    bridge.attach(call, stream).join();
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "t", "{}"));
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (session.toolResults.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(session.toolResults).hasSize(1);
    assertThat(thread[0]).startsWith("switchboard-bridge-tool-");
  }

  @Test
  void builtInNamesCannotBeTakenByUserTools() {
    assertThatThrownBy(() -> builder().tools(List.of(tool("end_call", c -> null))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("end_call");
    assertThatThrownBy(() -> VoiceAgentBridge.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runtime");
  }

  // ---------------------------------------------------------------- transcripts

  @Test
  void finalTranscriptsGoToTheStoresAndEvents() {
    InMemoryCallStore calls = InMemoryCallStore.create();
    InMemoryTranscriptStore transcripts = InMemoryTranscriptStore.create();
    attach(builder().callStore(calls).transcriptStore(transcripts));
    ScriptedSession session = runtime.session();
    Instant t = clock.instant();
    session.listener.onTranscript(new Transcript(Speaker.USER, "hel", false, "u1", t));
    session.listener.onTranscript(new Transcript(Speaker.USER, "hello", true, "u1", t));
    session.listener.onTranscript(new Transcript(Speaker.AGENT, "hi there", true, "i1", t));
    executor.runAll();
    assertThat(transcripts.transcript("CA1"))
        .extracting(Transcript::text)
        .containsExactly("hello", "hi there");
    assertThat(calls.find("CA1"))
        .get()
        .satisfies(
            r ->
                assertThat(r.transcript())
                    .extracting(Transcript::text)
                    .containsExactly("hello", "hi there"));
    assertThat(eventsOf(AgentEvent.TranscriptReceived.class)).hasSize(2);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  void agentFailureMidCallPlaysTheApologyThenHangsUp() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 500, 100);
    int before = stream.audio.size();
    session.end(CloseReason.of(CloseReason.Code.CONNECTION_LOST, "socket dropped"));
    assertThat(stream.clears).isEqualTo(1);
    assertThat(stream.audio.size()).isGreaterThan(before + 10); // the apology, seconds long
    assertThat(eventsOf(AgentEvent.AgentFailed.class)).hasSize(1);
    assertThat(eventsOf(AgentEvent.SessionClosed.class)).hasSize(1);
    assertThat(call.hangUps.get()).isZero();
    stream.deliverClearEchoes();
    stream.playAll();
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(bridged.done()).isCompleted();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void agentFailureHangsUpAtTheTimeoutIfThePhoneNeverConfirms() {
    attach(builder());
    runtime.session().end(CloseReason.of(CloseReason.Code.ERROR, "boom"));
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aSessionThatCannotOpenApologizesHangsUpAndFailsTheAttach() {
    runtime.failOpen = new dev.switchboard.core.SessionException("no agent");
    bridge = builder().build();
    var attached = bridge.attach(call, stream);
    assertThatThrownBy(attached::join)
        .isInstanceOf(CompletionException.class)
        .hasRootCauseMessage("no agent");
    assertThat(stream.audio).isNotEmpty();
    stream.playAll();
    assertThat(call.hangUps.get()).isEqualTo(1);
    assertThat(bridge.activeCalls()).isZero();
  }

  @Test
  void theCallEndingClosesTheSessionOnce() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    session.listener.onToolCall(ToolCall.of("c1", "end_call", "{}")); // leaves a timer behind
    stream.closeFromRemote(CloseReason.of(CloseReason.Code.CALL_ENDED, "caller hung up"));
    bridged.close().join();
    assertThat(session.closes.get()).isEqualTo(1);
    assertThat(bridged.done()).isCompleted();
    assertThat(call.hangUps.get()).isZero();
    assertThat(scheduler.pending()).isZero();
    assertThat(bridge.activeCalls()).isZero();
    assertThat(stream.listener()).isSameAs(MediaStream.Listener.NONE);
  }

  @Test
  void closingTheHandleLeavesTheCallUp() {
    BridgedCall bridged = attach(builder());
    bridged.close().join();
    bridged.close().join();
    assertThat(runtime.session().closes.get()).isEqualTo(1);
    assertThat(call.hangUps.get()).isZero();
    assertThatThrownBy(() -> bridged.replaceStream(stream))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void agentClosingNormallyHangsUpAfterQueuedAudio() {
    attach(builder());
    ScriptedSession session = runtime.session();
    session.speakFor("r1", "i1", 300, 100);
    session.end(CloseReason.of(CloseReason.Code.REMOTE, "agent ended the call"));
    assertThat(call.hangUps.get()).isZero();
    assertThat(stream.clears).isZero();
    stream.playAll();
    assertThat(call.hangUps.get()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- metrics

  @Test
  void turnLatencyRunsFromSpeechStoppedToTheFirstAudioOfTheNextResponse() {
    BridgedCall bridged = attach(builder());
    ScriptedSession session = runtime.session();
    assertThat(bridged.metrics().lastTurnLatency()).isNull();
    session.listener.onUserSpeechStopped();
    clock.advance(Duration.ofMillis(420));
    session.speak("r1", "i1", 100);
    clock.advance(Duration.ofMillis(100));
    session.speak("r1", "i1", 100);
    assertThat(bridged.metrics().lastTurnLatency()).isEqualTo(Duration.ofMillis(420));
  }
}
