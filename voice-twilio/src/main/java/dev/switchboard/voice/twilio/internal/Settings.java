package dev.switchboard.voice.twilio.internal;

import dev.switchboard.core.Secret;
import dev.switchboard.core.resilience.CircuitBreaker;
import dev.switchboard.core.resilience.RetryPolicy;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.webhook.WebhookRejected;
import dev.switchboard.voice.twilio.InboundCallRouter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The validated settings of a backend, as its builder produced them.
 *
 * @param accountSid the account
 * @param authToken the auth token (REST unless an API key is set; always for signatures)
 * @param apiKeySid an API key SID for REST, or null
 * @param apiKeySecret its secret, or null
 * @param defaultFrom the default caller id, or null
 * @param publicBaseUrl the public base URL of the webhooks
 * @param mediaUrl the public URL of the media endpoint
 * @param voicePath the voice webhook's path
 * @param statusPath the status callback's path
 * @param streamStatusPath the stream status callback's path
 * @param amdPath the AMD callback's path
 * @param mediaPath the media endpoint's path
 * @param allowInsecureUrls whether http/ws URLs are allowed
 * @param apiBaseUrl where REST goes
 * @param okHttp the OkHttp client
 * @param clock the clock
 * @param streamTokenTtl how long stream tokens live
 * @param callbackExecutor where call events are delivered
 * @param retryPolicy retries of idempotent REST calls
 * @param breaker the breaker around REST calls
 * @param router decides inbound calls
 * @param rejectedListener hears refused webhooks and streams
 * @param streamHandler told of each started stream before its first audio
 */
public record Settings(
    String accountSid,
    Secret authToken,
    @Nullable String apiKeySid,
    @Nullable Secret apiKeySecret,
    @Nullable String defaultFrom,
    URI publicBaseUrl,
    URI mediaUrl,
    String voicePath,
    String statusPath,
    String streamStatusPath,
    String amdPath,
    String mediaPath,
    boolean allowInsecureUrls,
    URI apiBaseUrl,
    OkHttpClient okHttp,
    Clock clock,
    Duration streamTokenTtl,
    Executor callbackExecutor,
    RetryPolicy retryPolicy,
    CircuitBreaker breaker,
    InboundCallRouter router,
    Consumer<WebhookRejected> rejectedListener,
    Consumer<MediaStream> streamHandler) {}
