package dev.switchboard.testing.openai;

import static dev.switchboard.testing.openai.RealtimeTestClient.JSON;
import static dev.switchboard.testing.openai.RealtimeTestClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FakeOpenAiRealtimeServerTest {
  private static final String PCMU_SESSION =
      """
      {"type":"realtime","output_modalities":["audio"],
       "audio":{"input":{"format":{"type":"audio/pcmu"},"transcription":{"model":"whisper-1"},
                         "turn_detection":{"type":"server_vad","silence_duration_ms":500}},
                "output":{"format":{"type":"audio/pcmu"},"voice":"marin"}},
       "instructions":"Be brief."}
      """;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private FakeOpenAiRealtimeServer start(FakeOpenAiRealtimeServer.Builder builder) {
    FakeOpenAiRealtimeServer fake = builder.build();
    closeables.add(fake);
    fake.start();
    return fake;
  }

  private RealtimeTestClient open(FakeOpenAiRealtimeServer fake) {
    RealtimeTestClient client = RealtimeTestClient.open(fake);
    closeables.add(client);
    return client;
  }

  @Test
  void handshakeWithAWrongOrMissingKeyIsRefusedWith401AndOpenAiErrorJson() throws Exception {
    FakeOpenAiRealtimeServer fake =
        start(FakeOpenAiRealtimeServer.builder().apiKey("sk-right-key"));

    RealtimeTestClient wrong =
        RealtimeTestClient.connect(fake.realtimeUrl("gpt-realtime"), "sk-wrong-key-1234");
    closeables.add(wrong);
    RealtimeTestClient.Ended refused = wrong.awaitEnded();
    assertThat(refused.httpStatus()).isEqualTo(401);
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(error.path("message").asText())
        .startsWith("Incorrect API key provided")
        .doesNotContain("sk-wrong-key-1234");

    RealtimeTestClient missing = RealtimeTestClient.connect(fake.realtimeUrl("gpt-realtime"), null);
    closeables.add(missing);
    RealtimeTestClient.Ended missingKey = missing.awaitEnded();
    assertThat(missingKey.httpStatus()).isEqualTo(401);
    assertThat(JSON.readTree(missingKey.body()).at("/error/message").asText())
        .contains("didn't provide an API key");

    assertThat(fake.sessions()).isEmpty();
    assertThat(fake.refusals())
        .extracting(FakeOpenAiRealtimeServer.Refusal::status)
        .containsExactly(401, 401);
  }

  @Test
  void sessionCreatedCarriesGaDefaultsAndUpdatesAnswerWithTheMergedConfig() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder());
    RealtimeTestClient client = open(fake);

    JsonNode created = client.await("session.created");
    assertThat(created.path("event_id").asText()).startsWith("event_");
    JsonNode session = created.path("session");
    assertThat(session.path("id").asText()).startsWith("sess_");
    assertThat(session.path("type").asText()).isEqualTo("realtime");
    assertThat(session.path("model").asText()).isEqualTo("gpt-realtime");
    assertThat(session.at("/audio/input/format/type").asText()).isEqualTo("audio/pcm");
    assertThat(session.at("/audio/input/format/rate").asInt()).isEqualTo(24000);
    assertThat(session.at("/audio/input/turn_detection/type").asText()).isEqualTo("server_vad");
    assertThat(session.path("output_modalities").toString()).isEqualTo("[\"audio\"]");

    JsonNode updated = client.update(PCMU_SESSION);
    assertThat(updated.path("type").asText()).isEqualTo("session.updated");
    JsonNode effective = updated.path("session");
    assertThat(effective.at("/audio/input/format/type").asText()).isEqualTo("audio/pcmu");
    assertThat(effective.at("/audio/output/voice").asText()).isEqualTo("marin");
    assertThat(effective.path("instructions").asText()).isEqualTo("Be brief.");
    assertThat(effective.at("/audio/input/turn_detection/interrupt_response").asBoolean()).isTrue();
    assertThat(effective.path("id").asText()).isEqualTo(session.path("id").asText());

    JsonNode second =
        client.update(
            "{\"type\":\"realtime\",\"tools\":[{\"type\":\"function\",\"name\":\"book_table\",\"parameters\":{}}]}");
    assertThat(second.at("/session/audio/input/format/type").asText()).isEqualTo("audio/pcmu");
    assertThat(second.at("/session/tools/0/name").asText()).isEqualTo("book_table");

    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.model()).isEqualTo("gpt-realtime");
    assertThat(record.header("authorization")).contains("Bearer " + fake.apiKey());
    assertThat(record.config().at("/tools/0/name").asText()).isEqualTo("book_table");
    assertThat(record.lastSessionUpdate())
        .hasValueSatisfying(u -> assertThat(u.has("tools")).isTrue());
    assertThat(record.sessionUpdates()).hasSize(2);
  }

  @Test
  void sessionUpdateWithoutTypeOrInTheBetaShapeIsAnErrorAndChangesNothing() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder());
    RealtimeTestClient client = open(fake);

    JsonNode noType = client.update("{\"instructions\":\"x\"}");
    assertThat(noType.path("type").asText()).isEqualTo("error");
    assertThat(noType.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(noType.at("/error/param").asText()).isEqualTo("session.type");

    JsonNode beta = client.update("{\"type\":\"realtime\",\"input_audio_format\":\"g711_ulaw\"}");
    assertThat(beta.at("/error/code").asText()).isEqualTo("unknown_parameter");
    assertThat(beta.at("/error/param").asText()).isEqualTo("session.input_audio_format");

    JsonNode badRate =
        client.update(
            "{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":16000}}}}");
    assertThat(badRate.at("/error/param").asText()).isEqualTo("session.audio.input.format.rate");

    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.config().path("instructions").asText()).doesNotContain("x");
    assertThat(record.sessionUpdates()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aLoudSegmentThenSilenceMakesAUserTurnAndAnAudioResponse(boolean pcmu) {
    Duration replyDuration = Duration.ofMillis(1500);
    FakeOpenAiRealtimeServer fake =
        start(
            FakeOpenAiRealtimeServer.builder()
                .reply(Reply.audio("Sure, a table for two at eight.", replyDuration))
                .userTranscript("I'd like a table for two")
                .pace(50));
    RealtimeTestClient client = open(fake);
    String format = pcmu ? "{\"type\":\"audio/pcmu\"}" : "{\"type\":\"audio/pcm\",\"rate\":24000}";
    client.update(
        "{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":"
            + format
            + ",\"transcription\":{\"model\":\"whisper-1\"}},\"output\":{\"format\":"
            + format
            + "}}}");

    // 500 ms of silence, 1000 ms of tone, 700 ms of silence, in 30 ms chunks (not frame-aligned)
    byte[] audio = RealtimeTestClient.speech(pcmu, 500, 1000, 700);
    client.append(audio, (pcmu ? 8 : 48) * 30);

    JsonNode started = client.await("input_audio_buffer.speech_started");
    assertThat(started.path("audio_start_ms").asLong()).isCloseTo(500L, within(100L));
    String userItem = started.path("item_id").asText();
    assertThat(userItem).startsWith("item_");
    JsonNode stopped = client.await("input_audio_buffer.speech_stopped");
    assertThat(stopped.path("audio_end_ms").asLong()).isCloseTo(1500L, within(100L));
    assertThat(stopped.path("item_id").asText()).isEqualTo(userItem);
    assertThat(client.await("input_audio_buffer.committed").path("item_id").asText())
        .isEqualTo(userItem);
    client.await("conversation.item.added", e -> e.at("/item/id").asText().equals(userItem));
    JsonNode transcription = client.await("conversation.item.input_audio_transcription.completed");
    assertThat(transcription.path("transcript").asText()).isEqualTo("I'd like a table for two");

    JsonNode created = client.await("response.created");
    String responseId = created.at("/response/id").asText();
    assertThat(responseId).startsWith("resp_");
    assertThat(created.at("/response/status").asText()).isEqualTo("in_progress");
    JsonNode done = client.await("response.done");
    assertThat(done.at("/response/status").asText()).isEqualTo("completed");
    assertThat(done.at("/response/output/0/content/0/transcript").asText())
        .isEqualTo("Sure, a table for two at eight.");
    assertThat(done.at("/response/usage/total_tokens").asInt()).isPositive();

    int bytesPerMs = pcmu ? 8 : 48;
    assertThat(client.audioBytes(responseId))
        .isEqualTo((int) replyDuration.toMillis() * bytesPerMs);
    assertThat(
            client.events("response.output_audio_transcript.delta").stream()
                .map(e -> e.path("delta").asText())
                .collect(Collectors.joining()))
        .isEqualTo("Sure, a table for two at eight.");
    assertThat(client.await("response.output_audio_transcript.done").path("transcript").asText())
        .isEqualTo("Sure, a table for two at eight.");
    List<String> order = client.events().stream().map(e -> e.path("type").asText()).toList();
    assertThat(order)
        .containsSubsequence(
            "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed",
            "conversation.item.added",
            "conversation.item.done",
            "response.created",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_audio.delta",
            "response.output_audio.done",
            "response.output_audio_transcript.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.done");

    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.responsesCreated()).isEqualTo(1);
    assertThat(record.responses().get(0).status()).isEqualTo("completed");
    assertThat(record.responses().get(0).audioSent()).isEqualTo(replyDuration);
    assertThat(record.inputAudio().remaining()).isEqualTo(audio.length);
    assertThat(record.clientEvents("input_audio_buffer.append")).isNotEmpty();
  }

  @Test
  void speechDuringAResponseCancelsItAndNoMoreOfItsDeltasArrive() {
    FakeOpenAiRealtimeServer fake =
        start(
            FakeOpenAiRealtimeServer.builder()
                .reply(Reply.audio("Yes?", Duration.ofMillis(300)))
                .pace(4));
    RealtimeTestClient client = open(fake);
    client.update(PCMU_SESSION);
    SessionRecord record = fake.awaitSession(TIMEOUT);

    String first =
        record.startResponse(Reply.audio("Hello there, welcome.", Duration.ofSeconds(20)));
    client.await("response.output_audio.delta", e -> e.path("response_id").asText().equals(first));
    client.append(RealtimeTestClient.speech(true, 0, 400, 700), 160);

    client.await("input_audio_buffer.speech_started");
    JsonNode cancelled =
        client.await("response.done", e -> e.at("/response/id").asText().equals(first));
    assertThat(cancelled.at("/response/status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.at("/response/status_details/reason").asText()).isEqualTo("turn_detected");
    assertThat(cancelled.at("/response/output/0/status").asText()).isEqualTo("incomplete");

    // the turn that interrupted gets its own response, which uses the first scripted reply
    JsonNode next =
        client.await("response.done", e -> !e.at("/response/id").asText().equals(first));
    assertThat(next.at("/response/status").asText()).isEqualTo("completed");

    List<JsonNode> events = client.events();
    int doneIndex = indexOf(events, cancelled);
    assertThat(events.subList(doneIndex + 1, events.size()))
        .noneMatch(e -> e.path("response_id").asText().equals(first));
    assertThat(client.audioBytes(first)).isLessThan(20_000 * 8);
    assertThat(record.responses().get(0).reason()).isEqualTo("turn_detected");
  }

  @Test
  void aFunctionCallIsAnsweredWithItsOutputAndThenTheNextReply() {
    FakeOpenAiRealtimeServer fake =
        start(
            FakeOpenAiRealtimeServer.builder()
                .reply(Reply.functionCall("book_table", "{\"people\":2,\"time\":\"20:00\"}"))
                .reply(Reply.audio("Booked.", Duration.ofMillis(400)))
                .pace(50));
    RealtimeTestClient client = open(fake);
    client.update(PCMU_SESSION);

    client.send("response.create");
    JsonNode added =
        client.await(
            "response.output_item.added", e -> e.at("/item/type").asText().equals("function_call"));
    String callId = added.at("/item/call_id").asText();
    assertThat(callId).startsWith("call_");
    JsonNode arguments = client.await("response.function_call_arguments.done");
    assertThat(arguments.path("call_id").asText()).isEqualTo(callId);
    assertThat(arguments.path("name").asText()).isEqualTo("book_table");
    assertThat(arguments.path("arguments").asText()).isEqualTo("{\"people\":2,\"time\":\"20:00\"}");
    assertThat(
            client.events("response.function_call_arguments.delta").stream()
                .map(e -> e.path("delta").asText())
                .collect(Collectors.joining()))
        .isEqualTo(arguments.path("arguments").asText());
    JsonNode firstDone = client.await("response.done");
    assertThat(firstDone.at("/response/output/0/type").asText()).isEqualTo("function_call");
    assertThat(firstDone.at("/response/output/0/arguments").asText()).contains("people");

    var output = JSON.createObjectNode();
    output
        .putObject("item")
        .put("type", "function_call_output")
        .put("call_id", callId)
        .put("output", "{\"ok\":true}");
    client.send("conversation.item.create", output);
    client.await(
        "conversation.item.done", e -> e.at("/item/type").asText().equals("function_call_output"));
    client.send("response.create");
    JsonNode spoken =
        client.await(
            "response.done", e -> e.at("/response/output/0/type").asText().equals("message"));
    assertThat(spoken.at("/response/output/0/content/0/transcript").asText()).isEqualTo("Booked.");

    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.functionCallOutputs()).hasSize(1);
    assertThat(record.functionCallOutputs().get(0).path("call_id").asText()).isEqualTo(callId);
    assertThat(record.responsesCreated()).isEqualTo(2);
  }

  @Test
  void aFunctionCallOutputForAnUnknownCallIsAnError() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder());
    RealtimeTestClient client = open(fake);
    var output = JSON.createObjectNode();
    output
        .putObject("item")
        .put("type", "function_call_output")
        .put("call_id", "call_nope")
        .put("output", "{}");
    client.send("conversation.item.create", output);
    assertThat(client.await("error").at("/error/param").asText()).isEqualTo("item.call_id");
  }

  @Test
  void responseCreateWhileAResponseIsActiveIsAnErrorAndCancelEndsIt() {
    FakeOpenAiRealtimeServer fake =
        start(
            FakeOpenAiRealtimeServer.builder()
                .reply(Reply.audio("Long.", Duration.ofSeconds(30)))
                .pace(1));
    RealtimeTestClient client = open(fake);
    client.send("response.create");
    String id = client.await("response.created").at("/response/id").asText();

    client.send("response.create", JSON.createObjectNode().put("event_id", "evt_client_2"));
    JsonNode error = client.await("error");
    assertThat(error.at("/error/code").asText())
        .isEqualTo("conversation_already_has_active_response");
    assertThat(error.at("/error/event_id").asText()).isEqualTo("evt_client_2");

    client.send("response.cancel");
    JsonNode done = client.await("response.done");
    assertThat(done.at("/response/id").asText()).isEqualTo(id);
    assertThat(done.at("/response/status").asText()).isEqualTo("cancelled");
    assertThat(done.at("/response/status_details/reason").asText()).isEqualTo("client_cancelled");

    client.send("response.cancel");
    client.await("error", e -> e.at("/error/code").asText().equals("response_cancel_not_active"));
    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.cancels()).hasSize(2);
    assertThat(record.responsesCreated()).isEqualTo(1);
  }

  @Test
  void truncateIsRecordedAndAnAudioEndBeyondTheAudioSentIsAnError() {
    FakeOpenAiRealtimeServer fake =
        start(
            FakeOpenAiRealtimeServer.builder()
                .reply(Reply.audio("One two three.", Duration.ofMillis(1000)))
                .pace(50));
    RealtimeTestClient client = open(fake);
    client.update(PCMU_SESSION);
    client.send("response.create");
    JsonNode done = client.await("response.done");
    String itemId = done.at("/response/output/0/id").asText();

    client.send(
        "conversation.item.truncate",
        JSON.createObjectNode()
            .put("item_id", itemId)
            .put("content_index", 0)
            .put("audio_end_ms", 400));
    JsonNode truncated = client.await("conversation.item.truncated");
    assertThat(truncated.path("item_id").asText()).isEqualTo(itemId);
    assertThat(truncated.path("audio_end_ms").asInt()).isEqualTo(400);

    client.send(
        "conversation.item.truncate",
        JSON.createObjectNode()
            .put("item_id", itemId)
            .put("content_index", 0)
            .put("audio_end_ms", 1200));
    JsonNode error = client.await("error");
    assertThat(error.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.at("/error/message").asText())
        .isEqualTo("Audio content of 1000ms is already shorter than 1200ms");

    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.truncates())
        .extracting(t -> t.path("audio_end_ms").asInt())
        .containsExactly(400, 1200);
  }

  @Test
  void aTextSessionStreamsTextDeltas() {
    FakeOpenAiRealtimeServer fake =
        start(
            FakeOpenAiRealtimeServer.builder()
                .reply(Reply.text("Two people, eight o'clock."))
                .pace(50));
    RealtimeTestClient client = open(fake);
    client.update("{\"type\":\"realtime\",\"output_modalities\":[\"text\"]}");
    var message = JSON.createObjectNode();
    message
        .putObject("item")
        .put("type", "message")
        .put("role", "user")
        .putArray("content")
        .addObject()
        .put("type", "input_text")
        .put("text", "Book it");
    client.send("conversation.item.create", message);
    client.await("conversation.item.done");
    client.send("response.create");

    JsonNode done = client.await("response.done");
    assertThat(done.at("/response/output_modalities/0").asText()).isEqualTo("text");
    assertThat(done.at("/response/output/0/content/0/type").asText()).isEqualTo("output_text");
    assertThat(client.await("response.output_text.done").path("text").asText())
        .isEqualTo("Two people, eight o'clock.");
    assertThat(
            client.events("response.output_text.delta").stream()
                .map(e -> e.path("delta").asText())
                .collect(Collectors.joining()))
        .isEqualTo("Two people, eight o'clock.");
    assertThat(client.events("response.output_audio.delta")).isEmpty();
  }

  @Test
  void manualTurnsCommitOnRequestAndRejectAnEmptyBuffer() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder().userTranscript("hi"));
    RealtimeTestClient client = open(fake);
    client.update(
        "{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcmu\"},"
            + "\"turn_detection\":null,\"transcription\":{\"model\":\"whisper-1\"}}}}");
    client.send("input_audio_buffer.commit");
    assertThat(client.await("error").at("/error/code").asText())
        .isEqualTo("input_audio_buffer_commit_empty");

    client.append(RealtimeTestClient.speech(true, 0, 500, 200), 160);
    client.send("input_audio_buffer.commit");
    String itemId = client.await("input_audio_buffer.committed").path("item_id").asText();
    assertThat(
            client
                .await("conversation.item.input_audio_transcription.completed")
                .path("transcript")
                .asText())
        .isEqualTo("hi");
    assertThat(client.events("input_audio_buffer.speech_started")).isEmpty();
    assertThat(client.events("response.created")).isEmpty();
    assertThat(itemId).startsWith("item_");
  }

  @Test
  void malformedEventsAreAnsweredWithErrorsAndTheSessionStaysOpen() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder());
    RealtimeTestClient client = open(fake);
    client.update(
        "{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000}}}}");

    client.sendRaw("{not json");
    client.await("error", e -> e.at("/error/code").asText().equals("invalid_json"));
    client.send("response.frobnicate", JSON.createObjectNode().put("event_id", "evt_9"));
    JsonNode unknown = client.await("error", e -> e.at("/error/event_id").asText().equals("evt_9"));
    assertThat(unknown.at("/error/param").asText()).isEqualTo("type");
    client.send("input_audio_buffer.append", JSON.createObjectNode().put("audio", "%%%not-base64"));
    client.await(
        "error",
        e ->
            e.at("/error/param").asText().equals("audio")
                && e.at("/error/message").asText().contains("base64"));
    client.send(
        "input_audio_buffer.append",
        JSON.createObjectNode().put("audio", Base64.getEncoder().encodeToString(new byte[3])));
    client.await("error", e -> e.at("/error/message").asText().contains("3 bytes"));

    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.isOpen()).isTrue();
    assertThat(record.clientEvents())
        .anyMatch(e -> e.raw().equals("{not json") && e.type().isEmpty());
    assertThat(record.inputAudio().remaining()).isZero();
  }

  @Test
  void theAgentCanSpeakFirstAndTestsCanSendErrorsAndRawEvents() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder().pace(50));
    RealtimeTestClient client = open(fake);
    client.update(PCMU_SESSION);
    SessionRecord record = fake.awaitSession(TIMEOUT);

    String id =
        record.startResponse(Reply.audio("Welcome to the restaurant.", Duration.ofMillis(500)));
    JsonNode done = client.await("response.done");
    assertThat(done.at("/response/id").asText()).isEqualTo(id);
    assertThat(client.audioBytes(id)).isEqualTo(500 * 8);

    record.sendError("rate_limit_exceeded", "Slow down.");
    JsonNode error = client.await("error");
    assertThat(error.at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.at("/error/message").asText()).isEqualTo("Slow down.");

    record.sendRaw("{\"type\":\"rate_limits.updated\",\"rate_limits\":[]}");
    client.await("rate_limits.updated");
    assertThat(record.serverEvents("rate_limits.updated")).hasSize(1);
  }

  @Test
  void expireSendsSessionExpiredAndClosesTheConnection() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder());
    RealtimeTestClient client = open(fake);
    SessionRecord record = fake.awaitSession(TIMEOUT);

    record.expire();

    assertThat(client.await("error").at("/error/code").asText()).isEqualTo("session_expired");
    RealtimeTestClient.Ended ended = client.awaitEnded();
    assertThat(ended.code()).isEqualTo(1000);
    SessionRecord.Closure closure = record.awaitClosed(TIMEOUT);
    assertThat(closure.byServer()).isTrue();
    assertThat(record.isOpen()).isFalse();
    assertThatThrownBy(() -> record.sendError("x", "y")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void disconnectDropsTheConnectionWithoutACloseFrame() {
    FakeOpenAiRealtimeServer fake =
        start(
            FakeOpenAiRealtimeServer.builder()
                .reply(Reply.audio("Long.", Duration.ofSeconds(30)))
                .pace(1));
    RealtimeTestClient client = open(fake);
    SessionRecord record = fake.awaitSession(TIMEOUT);
    client.send("response.create");
    client.await("response.output_audio.delta");

    record.disconnect();

    RealtimeTestClient.Ended ended = client.awaitEnded();
    assertThat(ended.code()).as("a failure, not a close frame").isEqualTo(-1);
    assertThat(record.awaitClosed(TIMEOUT).code()).isEqualTo(1006);
    record.disconnect(); // idempotent
  }

  @Test
  void aClientCloseIsRecordedAndCloseClosesEverySession() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder());
    RealtimeTestClient first = open(fake);
    RealtimeTestClient second = open(fake);
    SessionRecord firstRecord = fake.awaitSession(TIMEOUT);
    SessionRecord secondRecord = fake.awaitSession(TIMEOUT);
    assertThat(firstRecord.id()).isNotEqualTo(secondRecord.id());

    first.close();
    SessionRecord.Closure byClient = firstRecord.awaitClosed(TIMEOUT);
    assertThat(byClient.byServer()).isFalse();
    assertThat(byClient.code()).isEqualTo(1000);

    fake.close();
    fake.close();
    assertThat(second.awaitEnded()).isNotNull();
    assertThat(secondRecord.awaitClosed(TIMEOUT).byServer()).isTrue();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("fake-openai-realtime") && t.isAlive());
  }

  @Test
  void theBetaHeaderIsRejectedWithCode4000() {
    FakeOpenAiRealtimeServer fake = start(FakeOpenAiRealtimeServer.builder());
    okhttp3.Request request =
        new okhttp3.Request.Builder()
            .url(fake.realtimeUrl("gpt-realtime").toString())
            .header("Authorization", "Bearer " + fake.apiKey())
            .header("OpenAI-Beta", "realtime=v1")
            .build();
    RealtimeTestClient client = RealtimeTestClient.connect(request);
    closeables.add(client);
    assertThat(client.await("error").at("/error/code").asText())
        .isEqualTo("beta_api_shape_disabled");
    assertThat(client.awaitEnded().code()).isEqualTo(4000);
  }

  @Test
  void builderRejectsBadSettings() {
    assertThatThrownBy(() -> FakeOpenAiRealtimeServer.builder().pace(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pace");
    assertThatThrownBy(() -> FakeOpenAiRealtimeServer.builder().apiKey(" ").build())
        .hasMessageContaining("apiKey");
    assertThatThrownBy(
            () -> FakeOpenAiRealtimeServer.builder().deltaDuration(Duration.ofMillis(1)).build())
        .hasMessageContaining("deltaDuration");
    assertThatThrownBy(() -> Reply.audio("x", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int indexOf(List<JsonNode> events, JsonNode event) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i) == event) {
        return i;
      }
    }
    throw new AssertionError("not found: " + event);
  }
}
