/**
 * The voice bridge: {@link dev.switchboard.core.bridge.VoiceAgentBridge} joins one call's {@link
 * dev.switchboard.core.voice.MediaStream} to one {@link dev.switchboard.core.agent.AgentSession}.
 * It forwards audio both ways (passing base64 through untouched when both sides speak the same
 * format, transcoding otherwise), tracks what the caller has actually heard with playback marks so
 * that a barge-in clears the phone at once and the agent remembers only what was played, runs the
 * agent's tools off the media threads (with the built-in {@code end_call}, {@code transfer_call}
 * and {@code send_dtmf}), keeps transcripts, publishes events and metrics, and ties the lifetimes
 * of the call and the agent session together: an agent failure ends the call with a spoken apology,
 * never a silent line. Each attached call is a {@link dev.switchboard.core.bridge.BridgedCall}.
 */
@NullMarked
package dev.switchboard.core.bridge;

import org.jspecify.annotations.NullMarked;
