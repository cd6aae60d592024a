package dev.switchboard.core.bridge;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one bridged call's counters, from {@link BridgedCall#metrics()}. Immutable. The
 * same measurements are also recorded, across calls, as OpenTelemetry instruments (see {@link
 * VoiceAgentBridge}).
 *
 * @param framesToAgent caller audio frames forwarded to the agent
 * @param framesToCaller agent audio frames (and local clips) sent to the phone
 * @param framesDropped frames dropped: late audio of interrupted responses, audio refused by a full
 *     or closed side, caller audio before the agent session opened
 * @param bargeIns how many times the caller interrupted audio that was playing
 * @param toolCalls tool calls received from the agent, built-in ones included
 * @param lastTurnLatency from the agent's "user speech stopped" to the first audio of the next
 *     response sent to the phone, for the latest turn; null before the first
 * @param lastTimeToClear from the agent's "user speech started" to the phone's {@code clear} having
 *     been sent, for the latest barge-in; null before the first
 * @param lastHeard how much of the interrupted item the caller heard at the latest barge-in; null
 *     before the first
 */
public record BridgeMetrics(
    long framesToAgent,
    long framesToCaller,
    long framesDropped,
    long bargeIns,
    long toolCalls,
    @Nullable Duration lastTurnLatency,
    @Nullable Duration lastTimeToClear,
    @Nullable Duration lastHeard) {}
