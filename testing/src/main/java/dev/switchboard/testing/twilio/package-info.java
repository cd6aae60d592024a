/**
 * Fakes of Twilio for tests: {@link dev.switchboard.testing.twilio.TwilioCallSimulator} plays the
 * Twilio side of a bidirectional Media Streams WebSocket (a caller's audio and DTMF in; the agent's
 * audio, marks and clears out, played back at wall-clock speed) against a real media endpoint over
 * a real socket, with {@link dev.switchboard.testing.twilio.CallerAudio} for what the caller says
 * and {@link dev.switchboard.testing.twilio.Pacing} for how fast it is said; {@link
 * dev.switchboard.testing.twilio.FakeTwilioApi} answers the Voice REST API like Twilio (calls,
 * account, errors, injected 429/5xx/timeouts/dropped connections), records what it was asked
 * ({@link dev.switchboard.testing.twilio.FakeCall}) and sends correctly signed status, AMD,
 * stream-status and inbound-call webhooks ({@link
 * dev.switchboard.testing.twilio.TwilioSignatures}).
 */
@NullMarked
package dev.switchboard.testing.twilio;

import org.jspecify.annotations.NullMarked;
