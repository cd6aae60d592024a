/**
 * Test support for Switchboard and for applications built on it: a {@link
 * dev.switchboard.testing.ControllableClock}, recording listeners with {@code await…} assertions
 * that wait with a timeout instead of sleeping ({@link dev.switchboard.testing.Recorder}, {@link
 * dev.switchboard.testing.RecordingCallListener}, {@link
 * dev.switchboard.testing.RecordingAgentListener}, {@link
 * dev.switchboard.testing.RecordingMediaListener}, {@link
 * dev.switchboard.testing.RecordingMessagingListener}), and, in {@code testing.kit}, the
 * compatibility kits every provider's tests extend. Fakes of the remote services (Twilio, OpenAI
 * Realtime, Ultravox) join this module with their providers.
 */
@NullMarked
package dev.switchboard.testing;

import org.jspecify.annotations.NullMarked;
