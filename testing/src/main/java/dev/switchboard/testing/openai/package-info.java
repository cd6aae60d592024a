/**
 * A fake of the OpenAI Realtime API (GA protocol) for tests: {@link
 * dev.switchboard.testing.openai.FakeOpenAiRealtimeServer} accepts real WebSocket connections on
 * {@code 127.0.0.1}, checks the Bearer API key, answers {@code session.update}, runs an energy
 * voice-activity detector over the appended input audio, streams scripted {@link
 * dev.switchboard.testing.openai.Reply replies} (synthesized speech-like audio, text or function
 * calls) at a configurable pace, cancels them on barge-in, validates truncations, and records every
 * event in both directions per connection ({@link dev.switchboard.testing.openai.SessionRecord}),
 * which a test can also use to drive the session (errors, expiry, disconnects).
 */
@NullMarked
package dev.switchboard.testing.openai;

import org.jspecify.annotations.NullMarked;
