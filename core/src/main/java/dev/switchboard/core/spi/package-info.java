/**
 * Provider discovery and configuration. Each SPI has a small factory interface ({@link
 * dev.switchboard.core.spi.VoiceBackendProvider}, {@link
 * dev.switchboard.core.spi.AgentRuntimeProvider}, {@link
 * dev.switchboard.core.spi.ConversationalBackendProvider}) that provider modules implement and
 * register in {@code META-INF/services}; a {@link dev.switchboard.core.spi.ProviderCatalog} finds
 * them by name and creates components from a {@link dev.switchboard.core.spi.ProviderConfig}.
 * Applications that know their providers build components with the providers' builders instead.
 */
@NullMarked
package dev.switchboard.core.spi;

import org.jspecify.annotations.NullMarked;
