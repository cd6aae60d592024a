/**
 * A fake of Ultravox for tests: {@link dev.switchboard.testing.ultravox.FakeUltravox} serves the
 * REST API (agents with cursor pagination, calls, messages, data messages, webhooks, injected
 * faults) and the call media over real sockets on {@code 127.0.0.1} — the {@code serverWebSocket}
 * protocol (binary PCM16 and JSON data messages) and the {@code twilio} medium (Twilio Media
 * Streams, so {@link dev.switchboard.testing.twilio.TwilioCallSimulator} can call it) — with a
 * scriptable agent ({@link dev.switchboard.testing.ultravox.AgentReply}): speech detection on the
 * received audio, synthetic spoken replies with transcripts, barge-in, client tools, hang-ups, and
 * signed webhooks. Each call is recorded in a {@link
 * dev.switchboard.testing.ultravox.FakeUltravoxCall}.
 */
@NullMarked
package dev.switchboard.testing.ultravox;

import org.jspecify.annotations.NullMarked;
