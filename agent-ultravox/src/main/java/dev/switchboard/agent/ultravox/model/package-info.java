/**
 * The values exchanged with the Ultravox REST API: agents and their call templates, call requests,
 * calls, their messages, webhooks, pages. Immutable records (or final classes for Ultravox's
 * "exactly one key" objects such as {@link dev.switchboard.agent.ultravox.model.Medium}), mapped by
 * Jackson with camelCase names. Reading is tolerant: unknown fields are ignored, or kept in an
 * {@code extra} map where users need them to round-trip ({@link
 * dev.switchboard.agent.ultravox.model.CallTemplate}, {@link
 * dev.switchboard.agent.ultravox.model.StartCallRequest}, {@link
 * dev.switchboard.agent.ultravox.model.UltravoxCall}). Durations are protobuf strings ({@code
 * "30s"}) on the wire, {@link java.time.Duration} here ({@link
 * dev.switchboard.agent.ultravox.model.ProtoDuration}).
 */
@NullMarked
package dev.switchboard.agent.ultravox.model;

import org.jspecify.annotations.NullMarked;
