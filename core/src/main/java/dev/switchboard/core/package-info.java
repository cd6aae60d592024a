/**
 * The types every part of Switchboard shares: the {@link dev.switchboard.core.SwitchboardException}
 * tree, {@link dev.switchboard.core.HealthStatus}, {@link dev.switchboard.core.ConnectionState},
 * {@link dev.switchboard.core.AudioChunk} and {@link dev.switchboard.core.Secret}. The SPIs live in
 * {@code core.voice}, {@code core.agent} and {@code core.messaging}; discovery in {@code core.spi}.
 */
@NullMarked
package dev.switchboard.core;

import org.jspecify.annotations.NullMarked;
