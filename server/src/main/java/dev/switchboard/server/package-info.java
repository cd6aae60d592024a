/**
 * An embedded host for Switchboard's transport-neutral handlers: {@link
 * dev.switchboard.server.SwitchboardServer} serves {@link
 * dev.switchboard.core.webhook.WebhookHandler}s over the JDK's built-in HTTP server and {@link
 * dev.switchboard.core.webhook.WebSocketHandler}s over Java-WebSocket, with a health endpoint,
 * request and message limits, bounded per-connection queues in both directions and a graceful stop.
 * Applications that run their own server (Spring, Jakarta) mount the same handlers there instead
 * and do not need this module.
 */
@NullMarked
package dev.switchboard.server;

import org.jspecify.annotations.NullMarked;
