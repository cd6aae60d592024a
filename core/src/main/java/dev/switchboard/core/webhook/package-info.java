/**
 * The transport-neutral HTTP and WebSocket surfaces that provider modules expose: a {@link
 * dev.switchboard.core.webhook.WebhookHandler} takes a {@link
 * dev.switchboard.core.webhook.WebhookRequest} and returns a {@link
 * dev.switchboard.core.webhook.WebhookResponse}; a {@link
 * dev.switchboard.core.webhook.WebSocketHandler} consumes and produces text frames through a {@link
 * dev.switchboard.core.webhook.WebSocketChannel}. The {@code server} module hosts them; an
 * application with its own server (Spring, Jakarta) adapts its requests to these types and mounts
 * the same handlers. {@link dev.switchboard.core.webhook.PublicUrlResolver} reconstructs the URL
 * the caller used, which signature checks need.
 */
@NullMarked
package dev.switchboard.core.webhook;

import org.jspecify.annotations.NullMarked;
